import {Box, Text} from 'ink';
import type {DashboardState} from '../../core/dashboard/store.js';
import {helpSections} from '../keymap.js';

/** Lines the launch form takes (title, two fields, error/hint). */
export const launchFormHeight = 4;
export const quitDialogHeight = 3;

export function LaunchForm({state, width}: {state: DashboardState; width: number}) {
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
		<Box flexDirection="column" height={launchFormHeight} width={width}>
			<Text bold wrap="truncate-end">
				Launch in {form.worktree} (PORT is set to a free port; routed as {form.worktree}.{state.domain}:&lt;logical port&gt;)
			</Text>
			{field('port', 'Logical port')}
			{field('command', 'Command')}
			<Text color={form.error ? 'red' : 'gray'} wrap="truncate-end">
				{form.error ?? 'Words are split like a shell (quotes work); for pipes or $VARS use: sh -c "…"'}
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
	return (
		<Box flexDirection="column" height={height} width={width} overflow="hidden">
			{lines.slice(0, height).map((line, i) => (
				<Text key={i} bold={line.bold} wrap="truncate-end">
					{line.text}
				</Text>
			))}
		</Box>
	);
}

export function ownedLabels(state: DashboardState): string[] {
	return [...state.worktrees.flatMap(w => w.hosts), ...state.otherHosts].filter(h => h.mine).map(h => `${h.branch}:${h.logicalPort}`);
}
