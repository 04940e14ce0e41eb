import path from 'node:path';
import {Box, Text} from 'ink';
import {formatUptime, hostKey, hostStatusText, isLive, type DashboardState, type HostRow, type ListRow} from '../../core/dashboard/store.js';
import {windowStart} from '../layout.js';

const statusColor = (host: HostRow) =>
	host.status.kind === 'running' ? 'green' : host.status.kind === 'restarting' || host.status.kind === 'left-running' ? 'yellow' : host.status.kind === 'crashed' || (host.status.kind === 'exited' && host.status.code !== 0) ? 'red' : 'gray';

function ownerText(host: HostRow): string {
	if (host.mine) return 'this dashboard';
	if (host.owner === 'run') return `port run (pid ${host.supervisorPid})`;
	return host.status.kind === 'left-running' ? 'left running by port ui' : `port ui (pid ${host.supervisorPid})`;
}

function HostLine({host, state, other}: {host: HostRow; state: DashboardState; other: boolean}) {
	const live = isLive(host.status);
	const busy = state.busy[host.key];
	return (
		<Text wrap="truncate-end">
			<Text>{other ? `  ${path.basename(host.repo)}/${host.branch} ` : '    '}</Text>
			<Text color={statusColor(host)}>{live ? '●' : '○'}</Text>
			<Text bold> :{host.logicalPort}</Text>
			<Text> -&gt; :{host.actualPort}</Text>
			{live ? <Text dimColor>  pid {host.pid}</Text> : null}
			<Text color={statusColor(host)}>  {hostStatusText(host)}</Text>
			{live ? <Text dimColor>  up {formatUptime(state.now - host.startedAt)}</Text> : null}
			<Text color="magenta">  {ownerText(host)}</Text>
			{busy ? <Text color="yellow">  {busy}</Text> : null}
			<Text dimColor>  {host.command.join(' ')}</Text>
		</Text>
	);
}

function RowLine({row, state}: {row: ListRow; state: DashboardState}) {
	switch (row.kind) {
		case 'heading':
			return (
				<Text bold dimColor wrap="truncate-end">
					{row.text}
				</Text>
			);
		case 'worktree': {
			const w = row.worktree;
			const busy = state.busy[w.key];
			const services = w.compose.length + w.hosts.length;
			return (
				<Text wrap="truncate-end">
					<Text bold color={w.current ? 'cyan' : undefined}>
						{w.current ? '* ' : '  '}
						{w.name}
					</Text>
					<Text dimColor>  {w.branch ?? '(detached)'}</Text>
					{w.current ? <Text color="cyan">  (current)</Text> : null}
					{services === 0 ? <Text dimColor>  no services</Text> : null}
					{busy ? <Text color="yellow">  {busy}</Text> : null}
				</Text>
			);
		}
		case 'compose': {
			const c = row.compose;
			return (
				<Text wrap="truncate-end">
					<Text>    </Text>
					<Text color={c.state === 'running' ? 'green' : 'gray'}>◆</Text>
					<Text bold> {c.service}</Text>
					<Text color={c.state === 'running' ? 'green' : 'yellow'}>  {c.state}</Text>
					{c.ports.length > 0 ? <Text>  {c.ports.map(p => `:${p}`).join(' ')}</Text> : null}
					{c.url ? <Text color="blue">  {c.url}</Text> : null}
					<Text dimColor>  compose</Text>
				</Text>
			);
		}
		case 'declared': {
			const {name, service} = row.declared;
			const busy = state.busy[hostKey(state.repoRoot, row.worktree.name, service.port)];
			return (
				<Text wrap="truncate-end">
					<Text>    </Text>
					<Text color="gray">○</Text>
					<Text bold> :{service.port}</Text>
					<Text> {name}</Text>
					<Text color="gray">  {busy ?? 'declared, not running (r start, A all)'}</Text>
					<Text dimColor>  {service.command.join(' ')}</Text>
				</Text>
			);
		}
		case 'host':
			return <HostLine host={row.host} state={state} other={row.worktree === undefined} />;
	}
}

/** The worktree/service list, windowed around the selection so it never exceeds `height`. */
export function ServiceList({state, rows, height, width}: {state: DashboardState; rows: ListRow[]; height: number; width: number}) {
	const selected = rows.findIndex(r => r.key === state.selected);
	const start = windowStart(rows.length, selected, height);
	const visible = rows.slice(start, start + height);
	const focused = state.focus === 'list';
	return (
		<Box flexDirection="column" height={height} width={width} overflowY="hidden">
			{visible.length === 0 ? <Text dimColor>{state.filter ? `No worktree matches "${state.filter}".` : 'Loading…'}</Text> : null}
			{visible.map(row => (
				<Box key={row.key} width={width} height={1}>
					{/* The marker never shrinks: a row wider than the terminal is cut at its end instead. */}
					<Box width={1} flexShrink={0}>
						<Text inverse={row.key === state.selected} color={row.key === state.selected && !focused ? 'gray' : undefined}>
							{row.key === state.selected ? '›' : ' '}
						</Text>
					</Box>
					<Box width={width - 1} flexShrink={1}>
						<RowLine row={row} state={state} />
					</Box>
				</Box>
			))}
		</Box>
	);
}
