import {Box, Text} from 'ink';
import type {DashboardState, ListRow} from '../../core/dashboard/store.js';

const always = '? help  q quit';

/**
 * The keys that apply right now (mode, focus and selection decide), fitted to `width`: the
 * least useful hints go first, `? help  q quit` always stays.
 */
export function footerKeys(state: Pick<DashboardState, 'mode' | 'focus' | 'search'>, row: ListRow | undefined, width = Number.POSITIVE_INFINITY): string {
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
		case 'copy':
			return '↑↓ move  v mark  y copy  Esc cancel  ? help  q quit';
		default:
			break;
	}
	// [hint, priority]: the lowest priority is dropped first when the line is too long.
	const hints: Array<[string, number]> = [];
	if (state.focus === 'list') hints.push(['↑↓ select', 3], ['/ filter', 2]);
	else hints.push(['↑↓ PgUp/PgDn scroll', 3], ['End follow', 2], ['/ search', 2], ...(state.search ? [['n/N match', 2] as [string, number]] : []));
	hints.push(['Tab pane', 1]);
	hints.push(['c copy', 1]);
	if (row && row.kind !== 'heading' && row.worktree) hints.push(['a launch', 4], ['A start all', 3], ['u/d compose', 1]);
	if (row?.kind === 'declared') hints.push(['r start', 5]);
	if (row?.kind === 'host') hints.push(['s stop', 5], ['r restart', 5], ['X kill', 4], ['o open', 1], ['y copy URL', 1]);
	if (row?.kind === 'compose' && row.compose.url) hints.push(['o open', 1], ['y copy URL', 1]);
	const line = () => [...hints.map(([hint]) => hint), always].join('  ');
	while (hints.length > 0 && line().length > width) {
		const lowest = Math.min(...hints.map(([, priority]) => priority));
		// Drop the last hint of the lowest priority (the row's actions are at the end).
		const index = hints.map(([, priority]) => priority).lastIndexOf(lowest);
		hints.splice(index, 1);
	}
	return line();
}

export function Footer({state, row, width}: {state: DashboardState; row: ListRow | undefined; width: number}) {
	return (
		<Box height={1} width={width}>
			<Text wrap="truncate-start" color="cyan">
				{footerKeys(state, row, width)}
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
	const last = state.message;
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
