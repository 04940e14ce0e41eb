import {watch, type FSWatcher} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {createStore, type StoreApi} from 'zustand/vanilla';
import {
	belongsTo,
	composeProjectName,
	dockerSnapshot,
	followComposeLogs,
	runStreaming,
	type ComposeContainer,
	type DockerSnapshot,
	type StreamResult,
} from './dashboard-docker.js';
import {PortError} from './errors.js';
import {
	forceKillHostService,
	launchHostService,
	requestRestart,
	stopHostService,
	type ExitInfo,
	type LaunchRequest,
	type Launched,
	type SupervisedService,
} from './host-service.js';
import {LogBuffer} from './log-buffer.js';
import {followFile, type Follower} from './log-follow.js';
import {portHome} from './paths.js';
import {listWorktrees, type Project, type WorktreeInfo} from './project.js';
import {readRegistry, type HostService, type Registry} from './registry.js';
import {childAlive, supervisorAlive} from './stale.js';
import type {TraefikState} from './traefik.js';
import {setWarningSink} from './warnings.js';

// ---------------------------------------------------------------------------------------------
// State shapes

export type HostStatus =
	| {kind: 'running'}
	| {kind: 'restarting'}
	/** Owned by a `port ui` that is gone (left running on quit, or killed): still serving. */
	| {kind: 'left-running'}
	| {kind: 'exited'; code: number}
	| {kind: 'crashed'; detail: string}
	| {kind: 'stopped'}
	/** Gone from the registry; we did not supervise it, so the exit code is unknown. */
	| {kind: 'ended'};

export interface HostRow {
	key: string;
	repo: string;
	branch: string;
	logicalPort: number;
	actualPort: number;
	pid: number;
	hostname: string;
	url: string;
	command: string[];
	cwd: string;
	owner: HostService['owner'];
	/** Supervised by this dashboard. */
	mine: boolean;
	supervisorPid: number;
	status: HostStatus;
	startedAt: number;
	/** The live registry entry; undefined once it ended. */
	entry: HostService | undefined;
}

export interface ComposeRow {
	key: string;
	project: string;
	service: string;
	container: string;
	state: string;
	status: string;
	ports: number[];
	url: string | undefined;
}

export interface WorktreeRow {
	key: string;
	name: string;
	path: string;
	branch: string | undefined;
	isMain: boolean;
	current: boolean;
	composeProject: string;
	compose: ComposeRow[];
	hosts: HostRow[];
}

export type Mode = 'normal' | 'launch' | 'filter' | 'search' | 'quit' | 'help';
export type Focus = 'list' | 'logs';

export interface Message {
	level: 'info' | 'warn' | 'error';
	text: string;
	at: number;
}

export interface LaunchForm {
	field: 'port' | 'command';
	port: string;
	command: string;
	error: string | undefined;
	worktree: string;
}

export interface LogView {
	/** Stick to the newest line. */
	follow: boolean;
	/** Absolute index (counting every line ever received) of the top visible line when not following. */
	top: number;
	/** Absolute index of the current search match. */
	match: number | undefined;
}

/** What the UI can ask for; the key map produces these, `dispatch` performs them. */
export type Action =
	| {type: 'move'; delta: number}
	| {type: 'moveEdge'; to: 'top' | 'bottom'}
	| {type: 'focusNext'}
	| {type: 'scroll'; delta: number}
	| {type: 'page'; delta: number}
	| {type: 'scrollEdge'; to: 'top' | 'bottom'}
	| {type: 'openSearch'}
	| {type: 'openFilter'}
	| {type: 'searchNext'; direction: 1 | -1}
	| {type: 'openLaunch'}
	| {type: 'stop'}
	| {type: 'restart'}
	| {type: 'forceKill'}
	| {type: 'composeUp'}
	| {type: 'composeDown'}
	| {type: 'openUrl'}
	| {type: 'help'}
	| {type: 'quit'}
	| {type: 'interrupt'}
	| {type: 'input'; text: string}
	| {type: 'backspace'}
	| {type: 'submit'}
	| {type: 'cancel'}
	| {type: 'nextField'}
	| {type: 'quitChoice'; choice: 'stop' | 'leave' | 'cancel'};

export type Phase = 'running' | 'stopping' | 'done';

export interface DashboardState {
	repoRoot: string;
	repoName: string;
	domain: string;
	traefik: TraefikState | {state: 'unknown'};
	docker: {ok: boolean; reason?: string};
	worktrees: WorktreeRow[];
	otherHosts: HostRow[];
	selected: string;
	focus: Focus;
	mode: Mode;
	filter: string;
	form: LaunchForm;
	searchInput: string;
	search: string;
	log: LogView;
	/** Bumped (at most ~30 times a second) when log text arrived; the UI re-renders on it. */
	logVersion: number;
	messages: Message[];
	/** Work in progress per worktree or service key ("compose up…"). */
	busy: Record<string, string>;
	/** Rows available to the log pane (set by the UI from the terminal size). */
	logRows: number;
	now: number;
	phase: Phase;
	/** How the dashboard ended: services stopped, or left running. */
	exitSummary: string | undefined;

	dispatch(action: Action): void;
	refresh(): void;
	pollDocker(): Promise<void>;
	launch(worktree: string, logicalPort: number, command: string[]): Promise<HostRow | undefined>;
	stop(key?: string): Promise<void>;
	restart(key?: string): Promise<void>;
	forceKill(key?: string): void;
	composeUp(worktree?: string): Promise<void>;
	composeDown(worktree?: string): Promise<void>;
	openUrl(key?: string): Promise<void>;
	/** Asks before quitting when this dashboard owns running services. */
	quit(): void;
	confirmQuit(choice: 'stop' | 'leave' | 'cancel'): Promise<void>;
	setLogRows(rows: number): void;
	logBuffer(key?: string): LogBuffer | undefined;
	say(level: Message['level'], text: string): void;
	/** Starts watchers, timers and followers; returns a function that stops them. */
	start(): () => void;
	dispose(): void;
}

export type DashboardStore = StoreApi<DashboardState>;

export interface DashboardDeps {
	project: Pick<Project, 'repoRoot' | 'worktree' | 'worktreePath' | 'config'>;
	readRegistry?: () => Registry;
	listWorktrees?: (repoRoot: string) => WorktreeInfo[];
	launch?: (request: LaunchRequest) => Promise<Launched>;
	stopService?: (service: HostService) => Promise<void>;
	forceKill?: (service: HostService) => boolean;
	requestRestart?: (service: HostService) => boolean;
	childAlive?: (service: HostService) => boolean;
	supervisorAlive?: (service: HostService) => boolean;
	dockerSnapshot?: () => Promise<DockerSnapshot>;
	/** Runs compose up/down for a worktree, streaming progress; defaults to `port up` / `port down` when `cli` is set, else plain `docker compose`. */
	compose?: (direction: 'up' | 'down', worktree: WorktreeRow, onText: (text: string) => void) => Promise<StreamResult>;
	/** The `port` CLI to run compose commands with ([node, cli.js]); only when it knows `up`/`down`. */
	cli?: string[];
	followFile?: typeof followFile;
	followCompose?: (project: string, service: string, onText: (text: string) => void, onEnd: (problem?: string) => void) => Follower;
	openUrl?: (url: string) => Promise<void>;
	/** Watch $PORT_HOME for registry changes (default true). */
	watchRegistry?: boolean;
	pollMs?: number;
	flushMs?: number;
	logCapacity?: number;
	now?: () => number;
}

// ---------------------------------------------------------------------------------------------
// Pure helpers (also used by the UI)

export type ListRow =
	| {kind: 'worktree'; key: string; worktree: WorktreeRow}
	| {kind: 'compose'; key: string; compose: ComposeRow; worktree: WorktreeRow}
	| {kind: 'host'; key: string; host: HostRow; worktree: WorktreeRow | undefined}
	| {kind: 'heading'; key: string; text: string};

export const hostKey = (repo: string, branch: string, logicalPort: number) => `host:${repo}:${branch}:${logicalPort}`;
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
	}
	if (state.otherHosts.length > 0) {
		rows.push({kind: 'heading', key: 'heading:other', text: 'Other repositories'});
		for (const host of state.otherHosts) rows.push({kind: 'host', key: host.key, host, worktree: undefined});
	}
	return rows;
}

export function selectedRow(state: Pick<DashboardState, 'worktrees' | 'otherHosts' | 'filter' | 'selected'>): ListRow | undefined {
	return listRows(state).find(r => r.key === state.selected);
}

export function statusText(status: HostStatus): string {
	switch (status.kind) {
		case 'exited':
			return `exited(${status.code})`;
		case 'crashed':
			return `crashed (${status.detail})`;
		case 'left-running':
			return 'running (left running)';
		default:
			return status.kind;
	}
}

export const isLive = (status: HostStatus) => status.kind === 'running' || status.kind === 'restarting' || status.kind === 'left-running';

export function formatUptime(ms: number): string {
	const s = Math.max(0, Math.floor(ms / 1000));
	if (s < 60) return `${s}s`;
	if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
	if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
	return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600)}h`;
}

/**
 * Splits a command line into words like a shell would for plain words and quotes ('...',
 * "...", backslash), without running a shell: no variables, globs or operators.
 */
export function splitCommand(line: string): string[] {
	const words: string[] = [];
	let word = '';
	let inWord = false;
	let quote: '"' | "'" | undefined;
	for (let i = 0; i < line.length; i++) {
		const c = line[i]!;
		if (quote) {
			if (c === quote) quote = undefined;
			else if (c === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
			else word += c;
		} else if (c === '"' || c === "'") {
			quote = c;
			inWord = true;
		} else if (c === '\\' && i + 1 < line.length) {
			word += line[++i];
			inWord = true;
		} else if (/\s/.test(c)) {
			if (inWord) words.push(word);
			word = '';
			inWord = false;
		} else {
			word += c;
			inWord = true;
		}
	}
	if (quote) throw new PortError(`Unclosed ${quote} quote in the command.`);
	if (inWord) words.push(word);
	return words;
}

/** The visible window of a log: `rows` lines ending at the bottom (following) or starting at `top`. */
export function logWindow(buffer: LogBuffer | undefined, view: LogView, rows: number): {lines: string[]; first: number; atBottom: boolean} {
	if (!buffer || rows <= 0) return {lines: [], first: 0, atBottom: true};
	const pending = buffer.pending;
	const size = buffer.size + (pending ? 1 : 0);
	const base = buffer.total - buffer.size;
	const bottomTop = Math.max(0, size - rows);
	let top = view.follow ? bottomTop : Math.min(Math.max(0, view.top - base), bottomTop);
	if (!view.follow && view.top - base < 0) top = 0;
	const lines = buffer.slice(top, top + rows);
	if (pending && top + rows > buffer.size && lines.length < rows) lines.push(pending);
	return {lines, first: base + top, atBottom: top >= bottomTop};
}

// ---------------------------------------------------------------------------------------------
// The store

const defaultOpenUrl = async (url: string) => {
	const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
	const child = execa(opener, [url], {detached: true, stdio: 'ignore', reject: false, cleanup: false});
	child.unref();
	const result = await Promise.race([child, new Promise<undefined>(resolve => setTimeout(() => resolve(undefined), 1500).unref())]);
	if (result && result.failed && result.code === 'ENOENT') throw new PortError(`${opener} is not installed`);
};

export function createDashboardStore(deps: DashboardDeps): DashboardStore {
	const project = deps.project;
	const now = deps.now ?? Date.now;
	const read = deps.readRegistry ?? readRegistry;
	const worktreesOf = deps.listWorktrees ?? listWorktrees;
	const launchService = deps.launch ?? launchHostService;
	const stopService = deps.stopService ?? stopHostService;
	const killService = deps.forceKill ?? forceKillHostService;
	const askRestart = deps.requestRestart ?? requestRestart;
	const isChildAlive = deps.childAlive ?? childAlive;
	const isSupervisorAlive = deps.supervisorAlive ?? supervisorAlive;
	const snapshotDocker = deps.dockerSnapshot ?? dockerSnapshot;
	const follow = deps.followFile ?? followFile;
	const followCompose = deps.followCompose ?? followComposeLogs;
	const open = deps.openUrl ?? defaultOpenUrl;
	const capacity = deps.logCapacity ?? 5000;
	const flushMs = deps.flushMs ?? 33;

	const buffers = new Map<string, LogBuffer>();
	const owned = new Map<string, SupervisedService>();
	/** How each service we knew ended (kept so the row can say exited(1) / crashed / stopped). */
	const endings = new Map<string, HostStatus>();
	const stoppedByUs = new Set<string>();
	const remembered = new Map<string, HostRow>();
	const fileFollowers = new Map<string, {file: string; follower: Follower; stopTimer?: NodeJS.Timeout}>();
	let composeFollower: {key: string; follower: Follower} | undefined;
	let containers: ComposeContainer[] = [];
	let dirty = false;
	let flushTimer: NodeJS.Timeout | undefined;
	let pollInFlight: Promise<void> | undefined;
	let disposed = false;

	const bufferFor = (key: string) => {
		let buffer = buffers.get(key);
		if (!buffer) buffers.set(key, (buffer = new LogBuffer(capacity)));
		return buffer;
	};

	/** Log text goes into the ring at once; the UI hears about it at most every `flushMs`. */
	const ingest = (key: string, text: string) => {
		bufferFor(key).append(text);
		dirty = true;
		if (!flushTimer && !disposed) {
			flushTimer = setTimeout(() => {
				flushTimer = undefined;
				if (!dirty || disposed) return;
				dirty = false;
				store.setState(s => ({logVersion: s.logVersion + 1}));
			}, flushMs);
		}
	};

	const say = (level: Message['level'], text: string): void =>
		store.setState(s => ({messages: [...s.messages.slice(-49), {level, text, at: now()}]}));

	const hostRowFrom = (entry: HostService): HostRow => {
		const key = hostKey(entry.repo, entry.branch, entry.logicalPort);
		const mine = owned.has(key) && owned.get(key)!.identity.id === entry.id;
		const child = isChildAlive(entry);
		const supervisor = mine || isSupervisorAlive(entry);
		const status: HostStatus = child ? (supervisor ? {kind: 'running'} : {kind: 'left-running'}) : {kind: 'restarting'};
		return {
			key,
			repo: entry.repo,
			branch: entry.branch,
			logicalPort: entry.logicalPort,
			actualPort: entry.actualPort,
			pid: entry.pid,
			hostname: entry.hostname,
			url: `http://${entry.hostname}:${entry.logicalPort}`,
			command: entry.command,
			cwd: entry.cwd,
			owner: entry.owner,
			mine,
			supervisorPid: entry.supervisorPid,
			status,
			startedAt: Date.parse(entry.startedAt) || now(),
			entry,
		};
	};

	const syncFollowers = (rows: HostRow[]) => {
		const wanted = new Map<string, string>();
		for (const row of rows) if (row.entry) wanted.set(row.key, row.entry.logFile);
		for (const [key, file] of wanted) {
			const current = fileFollowers.get(key);
			if (current?.file === file) {
				if (current.stopTimer) clearTimeout(current.stopTimer);
				current.stopTimer = undefined;
				continue;
			}
			current?.follower.stop();
			if (current) ingest(key, '\u001B[2m── new run ──\u001B[0m\n');
			fileFollowers.set(key, {file, follower: follow(file, text => ingest(key, text))});
		}
		for (const [key, current] of fileFollowers) {
			if (wanted.has(key) || current.stopTimer) continue;
			// The service ended: its file may be unlinked already, but the open descriptor still
			// holds the last lines. Read them, then let go.
			current.stopTimer = setTimeout(() => {
				current.follower.stop();
				bufferFor(key).flush();
				if (fileFollowers.get(key) === current) fileFollowers.delete(key);
			}, 600);
			current.stopTimer.unref?.();
		}
	};

	const refresh = () => {
		if (disposed) return;
		let registry: Registry;
		try {
			registry = read();
		} catch (error) {
			say('error', error instanceof Error ? error.message : String(error));
			return;
		}
		const trees = worktreesOf(project.repoRoot);
		const live = new Map<string, HostRow>();
		for (const entry of registry.hostServices) {
			const row = hostRowFrom(entry);
			if (row.status.kind === 'restarting' && !row.mine && !isSupervisorAlive(entry)) continue; // stale
			live.set(row.key, row);
		}
		// Services we saw before and that are gone now stay listed with how they ended.
		for (const [key, row] of remembered) {
			if (live.has(key)) continue;
			const ending = endings.get(key) ?? (stoppedByUs.has(key) ? {kind: 'stopped'} : {kind: 'ended'});
			live.set(key, {...row, entry: undefined, mine: false, status: ending});
		}
		remembered.clear();
		for (const [key, row] of live) remembered.set(key, row);
		syncFollowers([...live.values()]);

		const rows = [...live.values()].sort((a, b) => a.logicalPort - b.logicalPort);
		const worktrees: WorktreeRow[] = trees.map(tree => {
			const composeProject = composeProjectName(registry, project.repoRoot, tree.name);
			const compose = containers
				.filter(c => belongsTo(c, composeProject, tree.path))
				.sort((a, b) => a.service.localeCompare(b.service))
				.map(
					(c): ComposeRow => ({
						key: `compose:${c.project}:${c.service}:${c.name}`,
						project: c.project,
						service: c.service,
						container: c.name,
						state: c.state,
						status: c.status,
						ports: c.routedPorts.length > 0 ? c.routedPorts : c.publishedPorts,
						url: c.routedPorts[0] ? `http://${tree.name}.${project.config.domain}:${c.routedPorts[0]}` : c.publishedPorts[0] ? `http://localhost:${c.publishedPorts[0]}` : undefined,
					}),
				);
			return {
				key: worktreeKey(tree.name),
				name: tree.name,
				path: tree.path,
				branch: tree.branch,
				isMain: tree.isMain,
				current: tree.name === project.worktree,
				composeProject,
				compose,
				hosts: rows.filter(r => r.repo === project.repoRoot && r.branch === tree.name),
			};
		});
		const inTrees = new Set(worktrees.flatMap(w => w.hosts.map(h => h.key)));
		const otherHosts = rows.filter(r => !inTrees.has(r.key)).sort((a, b) => a.repo.localeCompare(b.repo) || a.branch.localeCompare(b.branch) || a.logicalPort - b.logicalPort);
		store.setState(s => {
			const next = {...s, worktrees, otherHosts, now: now()};
			const keys = listRows(next).filter(r => r.kind !== 'heading');
			if (!keys.some(r => r.key === s.selected)) next.selected = keys[0]?.key ?? '';
			return next;
		});
		syncComposeFollower();
	};

	const syncComposeFollower = () => {
		const row = selectedRow(store.getState());
		const key = row?.kind === 'compose' ? row.key : undefined;
		if (composeFollower?.key === key) return;
		composeFollower?.follower.stop();
		composeFollower = undefined;
		if (row?.kind !== 'compose') return;
		bufferFor(row.key).clear();
		const follower = followCompose(
			row.compose.project,
			row.compose.service,
			text => ingest(row.key, text),
			problem => {
				if (problem) ingest(row.key, `\u001B[2m[port: docker compose logs ended: ${problem}]\u001B[0m\n`);
			},
		);
		composeFollower = {key: row.key, follower};
	};

	const pollDocker = async () => {
		if (pollInFlight) return pollInFlight;
		pollInFlight = (async () => {
			const snapshot = await snapshotDocker();
			if (disposed) return;
			containers = snapshot.ok ? snapshot.containers : [];
			store.setState({traefik: snapshot.traefik, docker: snapshot.ok ? {ok: true} : {ok: false, reason: snapshot.reason}});
			refresh();
		})().finally(() => {
			pollInFlight = undefined;
		});
		return pollInFlight;
	};

	const rowByKey = (key?: string): ListRow | undefined => {
		const state = store.getState();
		return key === undefined ? selectedRow(state) : listRows({...state, filter: ''}).find(r => r.key === key);
	};
	const hostByKey = (key?: string): HostRow | undefined => {
		const row = rowByKey(key);
		return row?.kind === 'host' ? row.host : undefined;
	};
	const worktreeByName = (name?: string): WorktreeRow | undefined => {
		const state = store.getState();
		if (name !== undefined) return state.worktrees.find(w => w.name === name);
		const row = selectedRow(state);
		return row && row.kind !== 'heading' ? row.worktree : undefined;
	};

	/** The registry's current version of an entry (a restart in place changes its pid). */
	const fresh = (entry: HostService): HostService => {
		try {
			return read().hostServices.find(s => s.id === entry.id) ?? entry;
		} catch {
			return entry;
		}
	};

	const adopt = (key: string, supervised: SupervisedService) => {
		owned.set(key, supervised);
		endings.delete(key);
		stoppedByUs.delete(key);
		supervised.on(event => {
			if (event.type === 'exit') {
				if (event.restarting) ingest(key, '\u001B[2m── restarting ──\u001B[0m\n');
				return;
			}
			if (event.type === 'ended') {
				if (owned.get(key) === supervised) owned.delete(key);
				endings.set(key, endingOf(event.info, stoppedByUs.has(key)));
			}
			refresh();
		});
	};

	const launch = async (worktreeName: string, logicalPort: number, command: string[], quietErrors = false): Promise<HostRow | undefined> => {
		const tree = worktreeByName(worktreeName);
		if (!tree) {
			say('error', `No worktree named ${worktreeName}.`);
			return undefined;
		}
		const key = hostKey(project.repoRoot, tree.name, logicalPort);
		store.setState(s => ({busy: {...s.busy, [key]: 'starting…'}}));
		try {
			const launched = await launchService({
				project: {repoRoot: project.repoRoot, worktree: tree.name, config: project.config},
				logicalPort,
				command,
				cwd: tree.path,
				owner: 'ui',
				output: 'file',
				color: true,
			});
			const buffer = bufferFor(key);
			if (buffer.size > 0 || buffer.pending) ingest(key, '\u001B[2m── launched ──\u001B[0m\n');
			adopt(key, launched.supervised);
			const direct = `http://localhost:${launched.service.actualPort}`;
			say('info', `Started ${tree.name}:${logicalPort} -> :${launched.service.actualPort} (${command.join(' ')})  ${launched.service.hostname}:${logicalPort}`);
			if (launched.traefik.state === 'unavailable') say('warn', `Routing is off until Traefik runs (${launched.traefik.reason}); use ${direct}.`);
			refresh();
			store.setState({selected: key});
			syncComposeFollower();
			return hostByKey(key);
		} catch (error) {
			const text = error instanceof Error ? error.message : String(error);
			if (!quietErrors) say('error', `Could not start ${tree.name}:${logicalPort}: ${text}`);
			return undefined;
		} finally {
			store.setState(s => {
				const {[key]: _, ...busy} = s.busy;
				return {busy};
			});
		}
	};

	const withBusy = async (key: string, label: string, work: () => Promise<void>) => {
		if (store.getState().busy[key]) return;
		store.setState(s => ({busy: {...s.busy, [key]: label}}));
		try {
			await work();
		} catch (error) {
			say('error', error instanceof Error ? error.message : String(error));
		} finally {
			store.setState(s => {
				const {[key]: _, ...busy} = s.busy;
				return {busy};
			});
			refresh();
		}
	};

	const stop = async (key?: string) => {
		const host = hostByKey(key);
		if (!host) return say('warn', 'Select a host service to stop.');
		if (!host.entry || !isLive(host.status)) {
			// An ended row: stop again clears it from the list.
			remembered.delete(host.key);
			endings.delete(host.key);
			fileFollowers.get(host.key)?.follower.stop();
			fileFollowers.delete(host.key);
			buffers.delete(host.key);
			refresh();
			return say('info', `Removed ${host.branch}:${host.logicalPort} from the list.`);
		}
		const entry = fresh(host.entry);
		stoppedByUs.add(host.key);
		await withBusy(host.key, 'stopping…', async () => {
			const supervised = owned.get(host.key);
			if (supervised) await supervised.stop();
			else await stopService(entry);
			say('info', `Stopped ${host.branch}:${host.logicalPort} (pid ${entry.pid}).`);
		});
	};

	const restart = async (key?: string) => {
		const host = hostByKey(key);
		if (!host) return say('warn', 'Select a host service to restart.');
		const label = `${host.branch}:${host.logicalPort}`;
		const supervised = owned.get(host.key);
		if (supervised && host.entry) {
			await withBusy(host.key, 'restarting…', async () => {
				await supervised.restart();
				say('info', `Restarted ${label} (same command, port :${host.actualPort}).`);
			});
			return;
		}
		if (host.entry && host.owner === 'run' && isLive(host.status)) {
			if (askRestart(fresh(host.entry))) say('info', `Asked the port run of ${label} (pid ${host.supervisorPid}) to restart it in place.`);
			else say('error', `Could not reach the port run of ${label} (pid ${host.supervisorPid}).`);
			return;
		}
		if (host.entry && host.owner === 'ui' && isSupervisorAlive(host.entry)) {
			return say('warn', `${label} belongs to another port ui (pid ${host.supervisorPid}); restart it there.`);
		}
		if (host.repo !== project.repoRoot) return say('warn', `${label} belongs to ${host.repo}; restart it from there.`);
		// Ended, or left running by a dashboard that is gone: (re)start it here, owned by us.
		await withBusy(host.key, 'restarting…', async () => {
			if (host.entry) await stopService(fresh(host.entry));
			store.setState(s => {
				const {[host.key]: _, ...busy} = s.busy;
				return {busy};
			});
			await launch(host.branch, host.logicalPort, host.command);
		});
	};

	const forceKill = (key?: string) => {
		const host = hostByKey(key);
		if (!host?.entry || !isLive(host.status)) return say('warn', 'Select a running host service to force-kill.');
		stoppedByUs.add(host.key);
		const supervised = owned.get(host.key);
		if (supervised) supervised.kill();
		else if (!killService(fresh(host.entry))) return say('error', `Could not kill ${host.branch}:${host.logicalPort} (pid ${host.pid}).`);
		say('info', `Sent SIGKILL to ${host.branch}:${host.logicalPort} (process group ${host.pid}).`);
		if (!supervised) void stopService(fresh(host.entry)).then(refresh, refresh);
	};

	const runCompose = async (direction: 'up' | 'down', name?: string): Promise<void> => {
		const tree = worktreeByName(name);
		if (!tree) return say('warn', 'Select a worktree first.');
		const key = tree.key;
		ingest(key, `\u001B[1m$ compose ${direction} (${tree.name})\u001B[0m\n`);
		await withBusy(key, `compose ${direction}…`, async () => {
			const result = await (deps.compose ?? defaultCompose)(direction, tree, text => ingest(key, text));
			ingest(key, `\u001B[2m[exit ${result.exitCode}]\u001B[0m\n`);
			if (result.ok) say('info', `compose ${direction} ${tree.name}: done${result.lastLine ? ` (${result.lastLine})` : ''}`);
			else say('error', `compose ${direction} ${tree.name} failed: ${result.lastLine || `exit code ${result.exitCode}`}`);
			await pollDocker();
		});
	};

	const defaultCompose = (direction: 'up' | 'down', tree: WorktreeRow, onText: (text: string) => void): Promise<StreamResult> => {
		if (deps.cli && deps.cli.length > 0) {
			const [file, ...args] = deps.cli;
			// No --yes for down: host services are the dashboard's to stop, not compose down's.
			return runStreaming(file!, [...args, direction], tree.path, onText, {PORT_HOME: portHome()});
		}
		const composeFile = path.join(tree.path, project.config.compose);
		const args = ['compose', '-p', tree.composeProject, '-f', composeFile, ...(direction === 'up' ? ['up', '-d'] : ['down'])];
		return runStreaming('docker', args, tree.path, onText);
	};

	const openUrl = async (key?: string) => {
		const row = rowByKey(key);
		const url = row?.kind === 'host' ? row.host.url : row?.kind === 'compose' ? row.compose.url : undefined;
		if (!url) return say('warn', 'Select a service with a URL to open.');
		const direct = row?.kind === 'host' ? `  (direct: http://localhost:${row.host.actualPort})` : '';
		try {
			await open(url);
			say('info', `Opened ${url}${direct}`);
		} catch (error) {
			say('warn', `Could not open a browser (${error instanceof Error ? error.message : String(error)}): ${url}${direct}`);
		}
	};

	const ownedRunning = () => [...owned.entries()].filter(([, s]) => s.running || s.entry !== undefined);

	const finish = (summary: string) => {
		store.getState().dispose();
		store.setState({phase: 'done', exitSummary: summary});
	};

	const confirmQuit = async (choice: 'stop' | 'leave' | 'cancel') => {
		if (choice === 'cancel') return store.setState({mode: 'normal'});
		const services = ownedRunning();
		const labels = services.map(([, s]) => `${s.identity.branch}:${s.identity.logicalPort}`).join(', ');
		if (choice === 'leave') {
			for (const [, supervised] of services) supervised.detach();
			owned.clear();
			return finish(services.length > 0 ? `Left running: ${labels} (see port list; stop with port kill).` : '');
		}
		store.setState({phase: 'stopping', mode: 'normal'});
		for (const [key] of services) stoppedByUs.add(key);
		await Promise.all(services.map(([, s]) => s.stop()));
		finish(services.length > 0 ? `Stopped ${labels}.` : '');
	};

	const quit = () => {
		if (store.getState().phase !== 'running') return;
		if (ownedRunning().length > 0) store.setState({mode: 'quit'});
		else finish('');
	};

	// ----- log view -----------------------------------------------------------------------

	const logKey = () => store.getState().selected;
	const scrollTo = (top: number) => {
		const state = store.getState();
		const buffer = buffers.get(logKey());
		if (!buffer) return;
		const base = buffer.total - buffer.size;
		const size = buffer.size + (buffer.pending ? 1 : 0);
		const bottomTop = base + Math.max(0, size - state.logRows);
		const clamped = Math.max(base, Math.min(top, bottomTop));
		store.setState({log: {...state.log, follow: clamped >= bottomTop, top: clamped}});
	};
	const currentTop = () => {
		const state = store.getState();
		const buffer = buffers.get(logKey());
		if (!buffer) return 0;
		return logWindow(buffer, state.log, state.logRows).first;
	};

	const runSearch = (direction: 1 | -1, fromBottom: boolean) => {
		const state = store.getState();
		const buffer = buffers.get(logKey());
		if (!buffer || state.search === '') return;
		const base = buffer.total - buffer.size;
		const from = fromBottom ? buffer.size : state.log.match !== undefined ? state.log.match - base : currentTop() - base;
		const index = buffer.search(state.search, Math.min(Math.max(from, -1), buffer.size), direction);
		if (index === undefined) return say('warn', `No match for "${state.search}".`);
		const match = base + index;
		const top = match - Math.floor(state.logRows / 2);
		scrollTo(top);
		store.setState(s => ({log: {...s.log, match}}));
	};

	const select = (key: string) => {
		store.setState({selected: key, log: {follow: true, top: 0, match: undefined}});
		syncComposeFollower();
	};

	const move = (delta: number | 'top' | 'bottom') => {
		const state = store.getState();
		const rows = listRows(state).filter(r => r.kind !== 'heading');
		if (rows.length === 0) return;
		const index = rows.findIndex(r => r.key === state.selected);
		const next = delta === 'top' ? 0 : delta === 'bottom' ? rows.length - 1 : Math.max(0, Math.min(rows.length - 1, (index === -1 ? 0 : index) + delta));
		if (rows[next]!.key !== state.selected) select(rows[next]!.key);
	};

	const submitForm = () => {
		const {form} = store.getState();
		if (form.field === 'port') {
			store.setState({form: {...form, field: 'command', error: undefined}});
			return;
		}
		const port = Number(form.port.trim());
		if (!Number.isInteger(port) || port < 1 || port > 65_535) {
			store.setState({form: {...form, field: 'port', error: 'The logical port must be an integer from 1 to 65535.'}});
			return;
		}
		let command: string[];
		try {
			command = splitCommand(form.command);
		} catch (error) {
			store.setState({form: {...form, error: (error as Error).message}});
			return;
		}
		if (command.length === 0) {
			store.setState({form: {...form, error: 'Type the command to run, e.g. npm run dev'}});
			return;
		}
		store.setState({mode: 'normal', form: {...form, error: undefined}});
		void launch(form.worktree, port, command);
	};

	const dispatch = (action: Action) => {
		const state = store.getState();
		if (state.phase !== 'running') return;
		switch (action.type) {
			case 'move':
				return move(action.delta);
			case 'moveEdge':
				return move(action.to);
			case 'focusNext':
				return store.setState({focus: state.focus === 'list' ? 'logs' : 'list'});
			case 'scroll':
				return scrollTo(currentTop() + action.delta);
			case 'page':
				return scrollTo(currentTop() + action.delta * Math.max(1, state.logRows - 1));
			case 'scrollEdge':
				if (action.to === 'bottom') return store.setState({log: {...state.log, follow: true}});
				return scrollTo(0);
			case 'openSearch':
				return store.setState({mode: 'search', searchInput: ''});
			case 'openFilter':
				return store.setState({mode: 'filter', focus: 'list'});
			case 'searchNext':
				if (state.search === '') return say('info', 'Press / in the log pane to search.');
				return runSearch(action.direction, false);
			case 'openLaunch': {
				const tree = worktreeByName();
				if (!tree) return say('warn', 'Select a worktree of this repository to launch a service in.');
				return store.setState({mode: 'launch', form: {field: 'port', port: '', command: '', error: undefined, worktree: tree.name}});
			}
			case 'stop':
				return void stop();
			case 'restart':
				return void restart();
			case 'forceKill':
				return forceKill();
			case 'composeUp':
				return void runCompose('up');
			case 'composeDown':
				return void runCompose('down');
			case 'openUrl':
				return void openUrl();
			case 'help':
				return store.setState({mode: state.mode === 'help' ? 'normal' : 'help'});
			case 'quit':
				return quit();
			case 'interrupt':
				// Ctrl+C: quit; pressed again while asked, it stops our services (never orphans them).
				if (state.mode === 'quit') return void confirmQuit('stop');
				return quit();
			case 'quitChoice':
				return void confirmQuit(action.choice);
			case 'input':
				return editInput(text => text + action.text);
			case 'backspace':
				return editInput(text => text.slice(0, -1));
			case 'nextField':
				if (state.mode === 'launch') store.setState({form: {...state.form, field: state.form.field === 'port' ? 'command' : 'port'}});
				return;
			case 'submit':
				if (state.mode === 'launch') return submitForm();
				if (state.mode === 'search') {
					store.setState({mode: 'normal', search: state.searchInput, focus: 'logs'});
					return runSearch(-1, true);
				}
				if (state.mode === 'filter') {
					store.setState({mode: 'normal'});
					return move(0);
				}
				return;
			case 'cancel':
				if (state.mode === 'filter') {
					store.setState({mode: 'normal', filter: ''});
					return;
				}
				if (state.mode === 'search') return store.setState({mode: 'normal', searchInput: ''});
				if (state.mode === 'normal' && state.search !== '') return store.setState({search: '', log: {...state.log, match: undefined}});
				return store.setState({mode: 'normal'});
		}
	};

	const editInput = (edit: (text: string) => string) => {
		const state = store.getState();
		if (state.mode === 'launch') {
			const {form} = state;
			const field = form.field;
			let value = edit(form[field]);
			if (field === 'port') value = value.replace(/[^0-9]/g, '').slice(0, 5);
			store.setState({form: {...form, [field]: value, error: undefined}});
		} else if (state.mode === 'filter') {
			const filter = edit(state.filter);
			store.setState({filter});
			// Keep a visible row selected while the list narrows.
			const rows = listRows({...store.getState(), filter}).filter(r => r.kind !== 'heading');
			if (!rows.some(r => r.key === state.selected) && rows[0]) select(rows[0].key);
		} else if (state.mode === 'search') {
			store.setState({searchInput: edit(state.searchInput)});
		}
	};

	let stopWatching: (() => void) | undefined;

	const start = () => {
		const restoreWarnings = setWarningSink(text => say('warn', text));
		const timers: NodeJS.Timeout[] = [];
		let watcher: FSWatcher | undefined;
		let debounce: NodeJS.Timeout | undefined;
		if (deps.watchRegistry !== false) {
			try {
				// The registry is replaced by rename: watch the directory, not the file's inode.
				watcher = watch(portHome(), {persistent: false}, (_event, file) => {
					if (file && !String(file).startsWith('registry.json')) return;
					if (debounce) return;
					debounce = setTimeout(() => {
						debounce = undefined;
						refresh();
					}, 30);
				});
				watcher.on('error', () => {});
			} catch {
				// No $PORT_HOME yet: the poll below still refreshes.
			}
		}
		refresh();
		void pollDocker();
		timers.push(setInterval(() => void pollDocker(), deps.pollMs ?? 2000));
		// Uptimes and liveness (a `port run` child can die without a registry write yet).
		timers.push(setInterval(() => refresh(), 1000));
		stopWatching = () => {
			restoreWarnings();
			watcher?.close();
			if (debounce) clearTimeout(debounce);
			for (const timer of timers) clearInterval(timer);
		};
		return () => store.getState().dispose();
	};

	const dispose = () => {
		if (disposed) return;
		disposed = true;
		stopWatching?.();
		if (flushTimer) clearTimeout(flushTimer);
		composeFollower?.follower.stop();
		for (const {follower, stopTimer} of fileFollowers.values()) {
			if (stopTimer) clearTimeout(stopTimer);
			follower.stop();
		}
		fileFollowers.clear();
	};

	const store: DashboardStore = createStore<DashboardState>()(() => ({
		repoRoot: project.repoRoot,
		repoName: path.basename(project.repoRoot),
		domain: project.config.domain,
		traefik: {state: 'unknown'},
		docker: {ok: true},
		worktrees: [],
		otherHosts: [],
		// Start on the worktree we were started in.
		selected: worktreeKey(project.worktree),
		focus: 'list',
		mode: 'normal',
		filter: '',
		form: {field: 'port', port: '', command: '', error: undefined, worktree: project.worktree},
		searchInput: '',
		search: '',
		log: {follow: true, top: 0, match: undefined},
		logVersion: 0,
		messages: [],
		busy: {},
		logRows: 10,
		now: now(),
		phase: 'running',
		exitSummary: undefined,
		dispatch,
		refresh,
		pollDocker,
		launch: (worktree, port, command) => launch(worktree, port, command),
		stop,
		restart,
		forceKill,
		composeUp: name => runCompose('up', name),
		composeDown: name => runCompose('down', name),
		openUrl,
		quit,
		confirmQuit,
		setLogRows: rows => {
			if (store.getState().logRows !== rows) store.setState({logRows: rows});
		},
		logBuffer: key => buffers.get(key ?? store.getState().selected),
		say,
		start,
		dispose,
	}));
	return store;
}

function endingOf(info: ExitInfo, stoppedByUs: boolean): HostStatus {
	if (stoppedByUs) return {kind: 'stopped'};
	if (info.spawnError) return {kind: 'crashed', detail: info.spawnError === 'ENOENT' ? 'command not found' : info.spawnError};
	if (info.signal) return {kind: 'crashed', detail: info.signal};
	return {kind: 'exited', code: info.code ?? 1};
}
