import {Box, Text} from 'ink';
import type {DashboardState} from '../../core/dashboard/store.js';
import type {DeclaredService} from '../../core/dashboard/store.js';
import {helpSections} from '../keymap.js';

/** Lines the launch form takes (title, the declared services if any, two fields, error/hint). */
export const launchFormHeight = (declared: number) => (declared > 0 ? 5 : 4);
export const quitDialogHeight = 3;

/** The declared services to pick from, in one line; the last choice is a free-form command. */
function Choices({state, services, width}: {state: DashboardState; services: Record<string, DeclaredService>; width: number}) {
	const names = Object.keys(services);
	const {form} = state;
	const active = form.field === 'pick';
	const tree = state.worktrees.find(w => w.name === form.worktree);
	const running = new Set(tree?.hosts.map(h => h.logicalPort));
	const ports = names.map(name => services[name]!.port);
	return (
		<Box height={1} width={width}>
			<Text wrap="truncate-end">
				<Text color={active ? 'cyan' : undefined} bold={active}>
					{active ? '› ' : '  '}Declared:{' '}
				</Text>
				{[...names, 'other command…'].map((name, i) => (
					<Text key={name} inverse={active && form.pick === i}>
						{i < names.length ? `${name} :${ports[i]}${running.has(ports[i]!) ? ' (listed)' : ''}` : name}
					</Text>
				)).flatMap((el, i) => (i === 0 ? [el] : [<Text key={`sep${i}`}>{'  '}</Text>, el]))}
			</Text>
		</Box>
	);
}

export function LaunchForm({state, services, width}: {state: DashboardState; services: Record<string, DeclaredService>; width: number}) {
	const names = Object.keys(services);
	const {form} = state;
	const field = (name: 'port' | 'command', label: string) => {
		const active = form.field === name;
		return (
			<Box height={1} width={width}>
				<Text wrap="truncate-end">
					<Text color={active ? 'cyan' : undefined} bold={active}>
						{active ? '› ' : '  '}
						{label}:{' '}
					</Text>
					<Text>{form[name]}</Text>
					{active ? <Text inverse> </Text> : null}
				</Text>
			</Box>
		);
	};
	return (
		<Box flexDirection="column" height={launchFormHeight(names.length)} width={width}>
			<Text bold wrap="truncate-end">
				Launch in {form.worktree} (PORT is set to a free port; routed as {form.worktree}.{state.domain}:&lt;logical port&gt;)
			</Text>
			{names.length > 0 ? <Choices state={state} services={services} width={width} /> : null}
			{field('port', 'Logical port')}
			{field('command', 'Command')}
			<Text color={form.error ? 'red' : 'gray'} wrap="truncate-end">
				{form.error ?? (form.field === 'pick' ? '↑↓ choose, Enter starts it; Tab or typing: another command' : 'Words are split like a shell (quotes work); for pipes or $VARS use: sh -c "…"')}
			</Text>
		</Box>
	);
}

export function QuitDialog({owned, width}: {owned: string[]; width: number}) {
	return (
		<Box flexDirection="column" height={quitDialogHeight} width={width}>
			<Text bold color="yellow" wrap="truncate-end">
				This dashboard started {owned.length} running service{owned.length === 1 ? '' : 's'}: {owned.join(', ')}
			</Text>
			<Text wrap="truncate-end">[s] stop them and quit   [l] leave them running (port list / port kill)   [c] cancel</Text>
			<Text dimColor wrap="truncate-end">
				Ctrl+C again stops them.
			</Text>
		</Box>
	);
}

export function Help({height, width}: {height: number; width: number}) {
	const lines: Array<{text: string; bold?: boolean}> = [];
	for (const section of helpSections) {
		lines.push({text: section.title, bold: true});
		for (const k of section.keys) lines.push({text: `  ${k.keys.padEnd(16)}${k.what}`});
	}
	lines.push({text: 'Restart of a service owned by a port run in another terminal restarts it in place (SIGUSR2 to that port run).'});
	// Too long for the height: side-by-side columns, so every section stays visible.
	const columns = Math.max(1, Math.min(3, Math.ceil(lines.length / Math.max(1, height))));
	const per = Math.ceil(lines.length / columns);
	const columnWidth = Math.floor(width / columns);
	return (
		<Box flexDirection="row" height={height} width={width} overflow="hidden">
			{Array.from({length: columns}, (_, c) => (
				<Box key={c} flexDirection="column" width={columnWidth} height={height} overflow="hidden">
					{lines.slice(c * per, c * per + per).map((line, i) => (
						<Text key={i} bold={line.bold} wrap="truncate-end">
							{line.text}
						</Text>
					))}
				</Box>
			))}
		</Box>
	);
}

export function ownedLabels(state: DashboardState): string[] {
	return [...state.worktrees.flatMap(w => w.hosts), ...state.otherHosts].filter(h => h.mine).map(h => `${h.branch}:${h.logicalPort}`);
}
