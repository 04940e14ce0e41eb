import type {StoreApi} from 'zustand/vanilla';
import type {DockerSnapshot, StreamResult} from './docker-snapshot.js';
import type {LaunchRequest, Launched} from '../supervise/launch.js';
import type {LogBuffer} from '../logs/buffer.js';
import type {followFile, Follower} from '../logs/follow.js';
import type {Project, WorktreeInfo} from '../git/project.js';
import type {ProcessFacts} from '../supervise/process-info.js';
import type {HostService, Registry} from '../registry/registry.js';
import type {TraefikState} from '../traefik/container.js';
import type {DeclaredService} from '../supervise/declared.js';

export type HostStatus =
	| {kind: 'running'}
	| {kind: 'restarting'}
	/** Owned by a `port ui` that is gone (left running on quit, or killed): still serving. */
	| {kind: 'left-running'}
	/** `detail` says why a command never started (127: command not found, 126: cannot execute). */
	| {kind: 'exited'; code: number; detail?: string}
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
	/** Services declared in .port/config.jsonc with no row of their own here (not started). */
	declared: DeclaredRow[];
}

export interface DeclaredRow {
	key: string;
	name: string;
	service: DeclaredService;
}

export type Mode = 'normal' | 'launch' | 'filter' | 'search' | 'quit' | 'help' | 'copy';
export type Focus = 'list' | 'logs';

export interface Message {
	level: 'info' | 'warn' | 'error';
	text: string;
	at: number;
	/** What the message is about ('search', 'selection', 'docker', …): it goes when that changes. */
	topic?: string;
}

export interface LaunchForm {
	/** `pick`: choosing among the declared services (the last choice is a free-form command). */
	field: 'pick' | 'port' | 'command';
	/** Index into the declared services; their count means "another command". */
	pick: number;
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

/** Copy mode: absolute line indices of the cursor and of where the selection started. */
export interface CopySelection {
	cursor: number;
	anchor: number | undefined;
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
	| {type: 'quitChoice'; choice: 'stop' | 'leave' | 'cancel'}
	| {type: 'openCopy'}
	| {type: 'copyMove'; delta: number}
	| {type: 'copyMark'}
	/** The mouse in copy mode: lines `from` (where the button went down) to `to` (the pointer), absolute indexes. */
	| {type: 'copySelect'; from: number; to: number}
	| {type: 'copyScroll'; delta: number}
	| {type: 'copyYank'}
	| {type: 'yankUrl'}
	| {type: 'startDeclared'};

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
	copy: CopySelection;
	/** `services` of .port/config.jsonc (what `a` offers and `A` starts). */
	declaredServices: Record<string, DeclaredService>;
	/** Why the routed URL of a host name would not work now (routing off, name not resolving); absent: it should. */
	routeProblems: Record<string, string>;
	/** Bumped (at most ~30 times a second) when log text arrived; the UI re-renders on it. */
	logVersion: number;
	/** Every message, newest last (the last 50). */
	messages: Message[];
	/** The message line: the newest message, until what it describes changed. */
	message: Message | undefined;
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
	/** Copies the URL of a service (the selected one by default). */
	yankUrl(key?: string): Promise<void>;
	/** Starts the declared services of a worktree (the selected row's by default) that are not running. */
	startDeclared(worktree?: string): Promise<void>;
	/** Starts one declared service by name. */
	launchDeclared(worktree: string, name: string): Promise<HostRow | undefined>;
	/** Asks before quitting when this dashboard owns running services. */
	quit(): void;
	confirmQuit(choice: 'stop' | 'leave' | 'cancel'): Promise<void>;
	setLogRows(rows: number): void;
	logBuffer(key?: string): LogBuffer | undefined;
	say(level: Message['level'], text: string, topic?: string): void;
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
	requestRestart?: (service: HostService) => boolean | Promise<boolean>;
	/** `facts`: one processFacts() pass for the whole refresh. */
	childAlive?: (service: HostService, facts?: ProcessFacts) => boolean;
	supervisorAlive?: (service: HostService, facts?: ProcessFacts) => boolean;
	dockerSnapshot?: () => Promise<DockerSnapshot>;
	/** Runs compose up/down for a worktree, streaming progress; defaults to `port up` / `port down` when `cli` is set, else plain `docker compose`. */
	compose?: (direction: 'up' | 'down', worktree: WorktreeRow, onText: (text: string) => void) => Promise<StreamResult>;
	/** The `port` CLI to run compose commands with ([node, cli.js]); only when it knows `up`/`down`. */
	cli?: string[];
	followFile?: typeof followFile;
	followCompose?: (project: string, service: string, onText: (text: string) => void, onEnd: (problem?: string) => void) => Follower;
	openUrl?: (url: string) => Promise<void>;
	/** Puts text on the clipboard; returns how ("OSC 52 + xclip"). Default: OSC 52 to the terminal plus pbcopy/wl-copy/xclip. */
	copyText?: (text: string) => Promise<string>;
	/** Why a routed URL would not work now (dns/honest.ts), or undefined. */
	routedUrlProblem?: (hostname: string, traefik: TraefikState | undefined) => Promise<string | undefined>;
	/** Watch $PORT_HOME for registry changes (default true). */
	watchRegistry?: boolean;
	pollMs?: number;
	flushMs?: number;
	logCapacity?: number;
	now?: () => number;
}

export type ListRow =
	| {kind: 'worktree'; key: string; worktree: WorktreeRow}
	| {kind: 'compose'; key: string; compose: ComposeRow; worktree: WorktreeRow}
	| {kind: 'host'; key: string; host: HostRow; worktree: WorktreeRow | undefined}
	| {kind: 'declared'; key: string; declared: DeclaredRow; worktree: WorktreeRow}
	| {kind: 'heading'; key: string; text: string};
