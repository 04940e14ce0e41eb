// What the store's action slices share: the store itself, the dependencies with their defaults
// filled in, what the dashboard remembers about services, log buffers and row look-ups.
import {dockerSnapshot, followComposeLogs} from './docker-snapshot.js';
import {forceKillHostService, requestRestart, stopHostService} from '../supervise/control.js';
import {launchHostService} from '../supervise/launch.js';
import type {SupervisedService} from '../supervise/supervisor.js';
import {LogBuffer} from '../logs/buffer.js';
import {followFile} from '../logs/follow.js';
import {listWorktrees} from '../git/project.js';
import {readRegistry, type HostService} from '../registry/registry.js';
import {childAlive, supervisorAlive} from '../supervise/stale.js';
import type {Merger} from './merged.js';
import {defaultCopyText} from './clipboard.js';
import {routedUrlProblem} from '../dns/honest.js';
import {openDetached} from '../lifecycle/browser.js';
import {listRows, selectedRow} from './selectors.js';
import type {DashboardDeps, DashboardStore, HostRow, HostStatus, ListRow, Message, WorktreeRow} from './types.js';

type Defaulted =
	| 'now'
	| 'readRegistry'
	| 'listWorktrees'
	| 'launch'
	| 'stopService'
	| 'forceKill'
	| 'requestRestart'
	| 'childAlive'
	| 'supervisorAlive'
	| 'dockerSnapshot'
	| 'followFile'
	| 'followCompose'
	| 'openUrl'
	| 'copyText'
	| 'routedUrlProblem'
	| 'logCapacity'
	| 'flushMs';

export type ResolvedDeps = DashboardDeps & Required<Pick<DashboardDeps, Defaulted>>;

export interface StoreContext {
	store: DashboardStore;
	deps: ResolvedDeps;
	buffers: Map<string, LogBuffer>;
	/** Services this dashboard launched and supervises. */
	owned: Map<string, SupervisedService>;
	/** How each service we knew ended (kept so the row can say exited(1) / crashed / stopped). */
	endings: Map<string, HostStatus>;
	stoppedByUs: Set<string>;
	/** The host rows of the last refresh, so services that vanish stay listed with how they ended. */
	remembered: Map<string, HostRow>;
	disposed: boolean;
	/** Also feeds host and compose output into the worktree's merged log (merged.ts). */
	merger: Merger | undefined;
	bufferFor(key: string): LogBuffer;
	/** Log text goes into the ring at once; the UI hears about it at most every `flushMs`. */
	ingest(key: string, text: string): void;
	cancelFlush(): void;
	say(level: Message['level'], text: string, topic?: string): void;
	/** Clears the message line if it is about `topic` (the state it described changed). */
	unsay(topic: string): void;
	/** The selected row, or (ignoring the filter) the row with this key. */
	rowByKey(key?: string): ListRow | undefined;
	hostByKey(key?: string): HostRow | undefined;
	/** The named worktree, or the selected row's. */
	worktreeByName(name?: string): WorktreeRow | undefined;
	/** The registry's current version of an entry (a restart in place changes its pid). */
	fresh(entry: HostService): HostService;
	setBusy(key: string, label: string): void;
	clearBusy(key: string): void;
}

const withDefaults = (deps: DashboardDeps): ResolvedDeps => ({
	...deps,
	now: deps.now ?? Date.now,
	readRegistry: deps.readRegistry ?? readRegistry,
	listWorktrees: deps.listWorktrees ?? listWorktrees,
	launch: deps.launch ?? launchHostService,
	stopService: deps.stopService ?? stopHostService,
	forceKill: deps.forceKill ?? forceKillHostService,
	requestRestart: deps.requestRestart ?? requestRestart,
	childAlive: deps.childAlive ?? childAlive,
	supervisorAlive: deps.supervisorAlive ?? supervisorAlive,
	dockerSnapshot: deps.dockerSnapshot ?? dockerSnapshot,
	// Smaller reads than `port logs -f`: a read is one uninterrupted task, and keys wait for it.
	followFile: deps.followFile ?? ((file, onText, options) => followFile(file, onText, {chunkBytes: 128 * 1024, ...options})),
	followCompose: deps.followCompose ?? followComposeLogs,
	openUrl: deps.openUrl ?? openDetached,
	copyText: deps.copyText ?? defaultCopyText,
	routedUrlProblem: deps.routedUrlProblem ?? routedUrlProblem,
	logCapacity: deps.logCapacity ?? 5000,
	flushMs: deps.flushMs ?? 33,
});

/** `store` is the zustand api handed to the state initializer: usable once the initializer returned. */
export function createContext(store: DashboardStore, given: DashboardDeps): StoreContext {
	const deps = withDefaults(given);
	const {now, readRegistry: read, logCapacity: capacity, flushMs} = deps;
	const buffers = new Map<string, LogBuffer>();
	let dirty = false;
	let flushTimer: NodeJS.Timeout | undefined;
	/** Text received since the last flush: a flood slows the log's redraws so keys keep their frames. */
	let received = 0;
	let delay = flushMs;

	const ctx: StoreContext = {
		store,
		deps,
		buffers,
		owned: new Map(),
		endings: new Map(),
		stoppedByUs: new Set(),
		remembered: new Map(),
		disposed: false,
		merger: undefined,
		bufferFor: key => {
			let buffer = buffers.get(key);
			if (!buffer) buffers.set(key, (buffer = new LogBuffer(capacity)));
			return buffer;
		},
		ingest: (key, text) => {
			// A worktree's own buffer is its merged view: compose output goes in there prefixed too,
			// and each complete line of a host service of this repository joins it.
			if (!ctx.merger?.feed(key, text)) {
				const buffer = ctx.bufferFor(key);
				const before = buffer.total;
				buffer.append(text);
				const added = buffer.total - before;
				if (added > 0 && ctx.merger) ctx.merger.feedLines(key, buffer.slice(Math.max(0, buffer.size - added), buffer.size));
			}
			dirty = true;
			received += text.length;
			if (!flushTimer && !ctx.disposed) {
				flushTimer = setTimeout(() => {
					flushTimer = undefined;
					// Over ~1 MB/s of output nobody reads along: redraw the log 10 times a second, not 30.
					delay = received > (1_000_000 * delay) / 1000 ? Math.max(flushMs, 100) : flushMs;
					received = 0;
					if (!dirty || ctx.disposed) return;
					dirty = false;
					store.setState(s => ({logVersion: s.logVersion + 1}));
				}, delay);
			}
		},
		cancelFlush: () => {
			if (flushTimer) clearTimeout(flushTimer);
		},
		say: (level, text, topic) => {
			const message: Message = {level, text, at: now(), ...(topic ? {topic} : {})};
			store.setState(s => ({messages: [...s.messages.slice(-49), message], message}));
		},
		unsay: topic => {
			if (store.getState().message?.topic === topic) store.setState({message: undefined});
		},
		rowByKey: key => {
			const state = store.getState();
			return key === undefined ? selectedRow(state) : listRows({...state, filter: ''}).find(r => r.key === key);
		},
		hostByKey: key => {
			const row = ctx.rowByKey(key);
			return row?.kind === 'host' ? row.host : undefined;
		},
		worktreeByName: name => {
			const state = store.getState();
			if (name !== undefined) return state.worktrees.find(w => w.name === name);
			const row = selectedRow(state);
			return row && row.kind !== 'heading' ? row.worktree : undefined;
		},
		fresh: entry => {
			try {
				return read().hostServices.find(s => s.id === entry.id) ?? entry;
			} catch {
				return entry;
			}
		},
		setBusy: (key, label) => store.setState(s => ({busy: {...s.busy, [key]: label}})),
		clearBusy: key => {
			store.setState(s => {
				const {[key]: _, ...busy} = s.busy;
				return {busy};
			});
			ctx.unsay(`busy:${key}`);
		},
	};
	return ctx;
}

/** Runs one piece of work per key at a time, marked busy meanwhile; failures become messages. */
export const busyRunner =
	(ctx: StoreContext, refresh: () => void) =>
	async (key: string, label: string, work: () => Promise<void>): Promise<void> => {
		const current = ctx.store.getState().busy[key];
		if (current) return ctx.say('warn', `Still busy (${current}); try again when it is done.`, `busy:${key}`);
		ctx.setBusy(key, label);
		try {
			await work();
		} catch (error) {
			ctx.say('error', error instanceof Error ? error.message : String(error));
		} finally {
			ctx.clearBusy(key);
			refresh();
		}
	};

export type WithBusy = ReturnType<typeof busyRunner>;
