import {Box, Text, useApp, useInput, useStdout} from 'ink';
import {useEffect, useState} from 'react';
import {useStore} from 'zustand';
import {listRows, type DashboardStore} from '../core/dashboard/store.js';
import {Footer, MessageLine} from './components/footer.js';
import {Header} from './components/header.js';
import {LogPane} from './components/log-pane.js';
import {Help, LaunchForm, QuitDialog, launchFormHeight, ownedLabels, quitDialogHeight} from './components/panels.js';
import {ServiceList} from './components/service-list.js';
import {inputToActions} from './keymap.js';
import {computeLayout} from './layout.js';
import type {MouseInput} from './mouse.js';
import {useMouse} from './use-mouse.js';

export interface AppProps {
	store: DashboardStore;
	/** Called with every key press before it is handled (PORT_UI_TRACE). */
	onKey?: (input: string) => void;
	/** Mouse reports from the terminal (copy mode selects lines with them). */
	mouse?: MouseInput;
}

function useTerminalSize(): {rows: number; cols: number} {
	const {stdout} = useStdout();
	const read = () => ({rows: stdout.rows || 24, cols: stdout.columns || 80});
	const [size, setSize] = useState(read);
	useEffect(() => {
		const onResize = () => setSize(read());
		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
	}, [stdout]);
	return size;
}

/** The dashboard: renders the store, maps keys to store actions. Nothing else. */
export function App({store, onKey, mouse}: AppProps) {
	const state = useStore(store);
	const {exit} = useApp();
	const {rows: termRows, cols} = useTerminalSize();
	const width = Math.max(20, cols);
	const rows = listRows(state);
	const row = rows.find(r => r.key === state.selected);
	const declared = Object.keys(state.declaredServices).length;
	const panel = state.mode === 'launch' ? launchFormHeight(declared) : state.mode === 'quit' ? quitDialogHeight : 0;
	const layout = computeLayout(termRows, rows.length, panel, width);
	const buffer = store.getState().logBuffer();

	useMouse(mouse, store, layout, state.mode === 'copy');

	useEffect(() => {
		store.getState().setLogRows(layout.log);
	}, [store, layout.log]);

	useEffect(() => {
		if (state.phase === 'done') exit();
	}, [state.phase, exit]);

	useInput((input, key) => {
		onKey?.(input);
		const state = () => store.getState();
		inputToActions(input, key, () => ({mode: state().mode, focus: state().focus}), action => state().dispatch(action));
	});

	return (
		<Box flexDirection="column" width={width} height={layout.total}>
			<Header state={state} width={width} />
			{state.mode === 'help' ? (
				<Help height={layout.side ? layout.list : layout.list + 1 + layout.log} width={width} />
			) : layout.side ? (
				<Box flexDirection="row" width={width} height={layout.list}>
					<ServiceList state={state} rows={rows} height={layout.list} width={layout.listWidth} />
					<Box width={1} height={layout.list} flexShrink={0}>
						<Text dimColor>{Array.from({length: layout.list}, () => '│').join('\n')}</Text>
					</Box>
					<LogPane state={state} row={row} buffer={buffer} height={layout.log} width={layout.logWidth} />
				</Box>
			) : (
				<>
					<ServiceList state={state} rows={rows} height={layout.list} width={width} />
					<LogPane state={state} row={row} buffer={buffer} height={layout.log} width={width} />
				</>
			)}
			{state.mode === 'launch' ? <LaunchForm state={state} services={state.declaredServices} width={width} /> : null}
			{state.mode === 'quit' ? <QuitDialog owned={ownedLabels(state)} width={width} /> : null}
			<MessageLine state={state} width={width} />
			<Footer state={state} row={row} width={width} />
		</Box>
	);
}
