import {Box, Text} from 'ink';
import {hostStatusText, logWindow, type DashboardState, type ListRow, type LogBuffer} from '../../core/dashboard/store.js';

function titleOf(row: ListRow | undefined): {name: string; extra: string} {
	if (!row) return {name: 'logs', extra: ''};
	switch (row.kind) {
		case 'host':
			return {name: `${row.host.branch}:${row.host.logicalPort} (${hostStatusText(row.host)})`, extra: `${row.host.url}  direct http://localhost:${row.host.actualPort}`};
		case 'compose':
			return {name: `${row.compose.service} (${row.compose.state})`, extra: `${row.compose.url ?? ''} [${row.compose.project}]`};
		case 'worktree':
			return {name: `${row.worktree.name}: compose output`, extra: ''};
		default:
			return {name: 'logs', extra: ''};
	}
}

/** Title line plus exactly `height` lines of the selected service's log. */
export function LogPane({state, row, buffer, height, width}: {state: DashboardState; row: ListRow | undefined; buffer: LogBuffer | undefined; height: number; width: number}) {
	const view = logWindow(buffer, state.log, height);
	const focused = state.focus === 'logs';
	const where = view.atBottom ? 'follow' : `line ${view.first + 1}/${buffer ? buffer.total : 0}, End to follow`;
	const title = titleOf(row);
	const matches = state.search && buffer ? buffer.countMatches(state.search) : 0;
	const search = state.search ? `  /${state.search} (${matches} match${matches === 1 ? '' : 'es'})` : '';
	return (
		<Box flexDirection="column" width={width}>
			<Box height={1} width={width}>
				<Text wrap="truncate-end" inverse={focused} bold={focused}>
					{`── ${title.name} ── ${where}${search} ── ${title.extra} `.padEnd(width, '─')}
				</Text>
			</Box>
			<Box flexDirection="column" height={height} width={width} overflow="hidden">
				{view.lines.length === 0 && height > 0 ? <Text dimColor>{row?.kind === 'heading' || !row ? '' : row.kind === 'worktree' ? 'u: compose up, d: compose down, a: launch a command here' : 'no output yet'}</Text> : null}
				{view.lines.map((line, i) => {
					const absolute = view.first + i;
					const isMatch = state.log.match === absolute;
					return (
						<Box key={i} height={1} width={width}>
							<Text wrap="truncate-end">
								{isMatch ? <Text inverse color="yellow">▶</Text> : null}
								{`${line}\u001B[0m`}
							</Text>
						</Box>
					);
				})}
			</Box>
		</Box>
	);
}
