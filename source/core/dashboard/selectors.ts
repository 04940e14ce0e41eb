// Pure reads of the dashboard state; the UI uses them too.
import type {LogBuffer} from '../logs/buffer.js';
import {readinessText} from '../supervise/readiness.js';
import type {DashboardState, HostRow, HostStatus, ListRow, LogView, WorktreeRow} from './types.js';

export const hostKey = (repo: string, branch: string, logicalPort: number) => `host:${repo}:${branch}:${logicalPort}`;
export const declaredKey = (worktree: string, name: string) => `declared:${worktree}:${name}`;
export const worktreeKey = (name: string) => `wt:${name}`;

const matchesFilter = (w: WorktreeRow, filter: string) => {
	const f = filter.trim().toLowerCase();
	return f === '' || w.name.toLowerCase().includes(f) || (w.branch ?? '').toLowerCase().includes(f);
};

/** The list pane's rows, in order: each (filtered) worktree with its services, then other repositories. */
export function listRows(state: Pick<DashboardState, 'worktrees' | 'otherHosts' | 'filter'>): ListRow[] {
	const rows: ListRow[] = [];
	for (const worktree of state.worktrees) {
		if (!matchesFilter(worktree, state.filter)) continue;
		rows.push({kind: 'worktree', key: worktree.key, worktree});
		for (const compose of worktree.compose) rows.push({kind: 'compose', key: compose.key, compose, worktree});
		for (const host of worktree.hosts) rows.push({kind: 'host', key: host.key, host, worktree});
		for (const declared of worktree.declared ?? []) rows.push({kind: 'declared', key: declared.key, declared, worktree});
	}
	if (state.otherHosts.length > 0) {
		rows.push({kind: 'heading', key: 'heading:other', text: 'Other repositories'});
		for (const host of state.otherHosts) rows.push({kind: 'host', key: host.key, host, worktree: undefined});
	}
	return rows;
}

/** The routed URL of a host or compose row (what `o` opens and `y` copies). */
export const rowUrl = (row: ListRow | undefined): string | undefined => (row?.kind === 'host' ? row.host.url : row?.kind === 'compose' ? row.compose.url : undefined);

export function selectedRow(state: Pick<DashboardState, 'worktrees' | 'otherHosts' | 'filter' | 'selected'>): ListRow | undefined {
	return listRows(state).find(r => r.key === state.selected);
}

export function statusText(status: HostStatus): string {
	switch (status.kind) {
		case 'exited':
			return status.detail ? `exited ${status.code}: ${status.detail}` : `exited(${status.code})`;
		case 'crashed':
			return `crashed (${status.detail})`;
		case 'left-running':
			return 'running (left running)';
		default:
			return status.kind;
	}
}

/** `ready in 0.4 s`, `starting`, `not listening on 4100 (listens on 5173)`. */
export function readinessLabel(host: Pick<HostRow, 'entry' | 'actualPort'>): string | undefined {
	const readiness = host.entry?.readiness;
	if (readiness?.state === 'ready') return `ready in ${readiness.ms < 1000 ? `${readiness.ms} ms` : `${(readiness.ms / 1000).toFixed(1)} s`}`;
	return readinessText(readiness, host.actualPort);
}

/** A running service also says how its readiness goes: `running · ready in 120 ms`, `running · not listening on ...`. */
export const hostStatusText = (host: Pick<HostRow, 'status' | 'entry' | 'actualPort'>) =>
	(host.status.kind === 'running' || host.status.kind === 'left-running') && host.entry?.readiness
		? `${statusText(host.status)} · ${readinessLabel(host)}`
		: statusText(host.status);

export const isLive = (status: HostStatus) => status.kind === 'running' || status.kind === 'restarting' || status.kind === 'left-running';

export function formatUptime(ms: number): string {
	const s = Math.max(0, Math.floor(ms / 1000));
	if (s < 60) return `${s}s`;
	if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
	if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
	return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600)}h`;
}

/** The visible window of a log: `rows` lines ending at the bottom (following) or starting at `top`. */
export function logWindow(buffer: LogBuffer | undefined, view: LogView, rows: number): {lines: string[]; first: number; atBottom: boolean} {
	if (!buffer || rows <= 0) return {lines: [], first: 0, atBottom: true};
	const pending = buffer.pending;
	const size = buffer.size + (pending ? 1 : 0);
	const base = buffer.total - buffer.size;
	const bottomTop = Math.max(0, size - rows);
	const top = view.follow ? bottomTop : Math.min(Math.max(0, view.top - base), bottomTop);
	const lines = buffer.slice(top, top + rows);
	if (pending && top + rows > buffer.size && lines.length < rows) lines.push(pending);
	return {lines, first: base + top, atBottom: top >= bottomTop};
}
