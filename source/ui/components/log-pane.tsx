import {Box, Text} from 'ink';
import {hostStatusText, logWindow, stripAnsi, type DashboardState, type ListRow, type LogBuffer} from '../../core/dashboard/store.js';

function titleOf(row: ListRow | undefined, state: DashboardState): {name: string; extra: string} {
	if (!row) return {name: 'logs', extra: ''};
	switch (row.kind) {
		case 'host': {
			// The routed URL is marked when it would not work now (routing off, name not resolving).
			const problem = state.routeProblems[row.host.hostname];
			const direct = `direct http://localhost:${row.host.actualPort}`;
			return {name: `${row.host.branch}:${row.host.logicalPort} (${hostStatusText(row.host)})`, extra: problem ? `${row.host.url} ✗  ${direct}  ✗ ${problem}` : `${row.host.url}  ${direct}`};
		}
		case 'declared':
			return {name: `${row.declared.name} (declared, not running)`, extra: `r starts it, A starts all  ${row.declared.service.command.join(' ')}`};
		case 'compose':
			return {name: `${row.compose.service} (${row.compose.state})`, extra: `${row.compose.url ?? ''} [${row.compose.project}]`};
		case 'worktree':
			return {name: `${row.worktree.name}: all services`, extra: 'merged by arrival'};
		default:
			return {name: 'logs', extra: ''};
	}
}

/** Title line plus exactly `height` lines of the selected service's log. */
export function LogPane({state, row, buffer, height, width}: {state: DashboardState; row: ListRow | undefined; buffer: LogBuffer | undefined; height: number; width: number}) {
	const view = logWindow(buffer, state.log, height);
	const focused = state.focus === 'logs';
	const where = view.atBottom ? 'follow' : `line ${view.first + 1}/${buffer ? buffer.total : 0}, End to follow`;
	const title = titleOf(row, state);
	const copying = state.mode === 'copy';
	const selFrom = Math.min(state.copy.cursor, state.copy.anchor ?? state.copy.cursor);
	const selTo = Math.max(state.copy.cursor, state.copy.anchor ?? state.copy.cursor);
	const mode = copying ? '  COPY: ↑↓ move, v mark, y copy, Esc cancel' : '';
	const matches = state.search && buffer ? buffer.countMatches(state.search) : 0;
	const search = state.search ? `  /${state.search} (${matches} match${matches === 1 ? '' : 'es'})` : '';
	return (
		<Box flexDirection="column" width={width}>
			<Box height={1} width={width}>
				<Text wrap="truncate-end" inverse={focused} bold={focused}>
					{`── ${title.name} ── ${where}${search}${mode} ── ${title.extra} `.padEnd(width, '─')}
				</Text>
			</Box>
			<Box flexDirection="column" height={height} width={width} overflowY="hidden">
				{view.lines.length === 0 && height > 0 ? <Text dimColor>{row?.kind === 'heading' || !row ? '' : row.kind === 'worktree' ? 'u: compose up, d: compose down, a: launch a command here' : 'no output yet'}</Text> : null}
				{view.lines.map((line, i) => {
					const absolute = view.first + i;
					const isMatch = state.log.match === absolute;
					const selected = copying && absolute >= selFrom && absolute <= selTo;
					const cursor = copying && absolute === state.copy.cursor;
					return (
						<Box key={i} height={1} width={width}>
							{copying ? (
								<Box width={1} flexShrink={0}>
									<Text inverse={cursor} color="cyan">
										{cursor ? '▸' : selected ? '┃' : ' '}
									</Text>
								</Box>
							) : null}
							<Text wrap="truncate-end" inverse={selected}>
								{isMatch ? <Text inverse color="yellow">▶</Text> : null}
								{selected ? stripAnsi(line) : `${line}\u001B[0m`}
							</Text>
						</Box>
					);
				})}
			</Box>
		</Box>
	);
}
