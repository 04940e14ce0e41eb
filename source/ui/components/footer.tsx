import {Box, Text} from 'ink';
import type {DashboardState, ListRow} from '../../core/store.js';

/** The keys that apply right now (mode, focus and selection decide). */
export function footerKeys(state: Pick<DashboardState, 'mode' | 'focus' | 'search'>, row: ListRow | undefined): string {
	switch (state.mode) {
		case 'launch':
			return 'Enter next/launch  Tab switch field  Esc cancel';
		case 'filter':
			return 'type to filter worktrees  ↑↓ move  Enter keep  Esc clear';
		case 'search':
			return 'type to search the log  Enter find  Esc cancel';
		case 'quit':
			return 's stop them and quit  l leave running  c cancel';
		case 'help':
			return 'Esc/? close help  q quit';
		default:
			break;
	}
	const keys: string[] = [];
	if (state.focus === 'list') keys.push('↑↓ select', '/ filter');
	else keys.push('↑↓ PgUp/PgDn scroll', 'End follow', '/ search', ...(state.search ? ['n/N match'] : []));
	keys.push('Tab pane');
	if (row && row.kind !== 'heading' && row.worktree) keys.push('a launch', 'u/d compose');
	if (row?.kind === 'host') keys.push('s stop', 'r restart', 'X kill', 'o open');
	if (row?.kind === 'compose' && row.compose.url) keys.push('o open');
	keys.push('? help', 'q quit');
	return keys.join('  ');
}

export function Footer({state, row, width}: {state: DashboardState; row: ListRow | undefined; width: number}) {
	return (
		<Box height={1} width={width}>
			<Text wrap="truncate-end" color="cyan">
				{footerKeys(state, row)}
			</Text>
		</Box>
	);
}

export function MessageLine({state, width}: {state: DashboardState; width: number}) {
	if (state.mode === 'search' || state.mode === 'filter') {
		return (
			<Box height={1} width={width}>
				<Text wrap="truncate-end">
					<Text color="cyan">{state.mode === 'search' ? 'search log: /' : 'filter worktrees: /'}</Text>
					<Text>{state.mode === 'search' ? state.searchInput : state.filter}</Text>
					<Text inverse> </Text>
				</Text>
			</Box>
		);
	}
	const last = state.messages.at(-1);
	const color = last?.level === 'error' ? 'red' : last?.level === 'warn' ? 'yellow' : 'green';
	const text = state.phase === 'stopping' ? 'Stopping the services this dashboard started…' : last ? last.text : state.docker.ok ? '' : `Docker: ${state.docker.reason ?? 'unavailable'}`;
	return (
		<Box height={1} width={width}>
			<Text wrap="truncate-end" color={state.phase === 'stopping' ? 'yellow' : last ? color : 'yellow'}>
				{text}
			</Text>
		</Box>
	);
}
