/** Shapes of `$PORT_HOME/registry.json` (documented in readme.md). */
import {legacyHostService, legacyProject} from './legacy.js';
import type {Readiness} from '../supervise/readiness.js';

export const registryVersion = 1;

export interface HostService {
	/** Unique per run; route, log and registry entry are all keyed by it. */
	id: string;
	/** Absolute path of the repository's main checkout. */
	repo: string;
	/**
	 * The sanitized WORKTREE name (the hostname's first label), not a git branch. The key is
	 * `branch` because the older registry format (registry/legacy.ts) named it so, and renaming
	 * it on disk would hide every running service from older ports sharing this registry.
	 */
	branch: string;
	hostname: string;
	logicalPort: number;
	actualPort: number;
	/** The child's pid (always > 0) and its start time, so a reused pid is never signalled. */
	pid: number;
	pidStartTime: string;
	/** The process that supervises the child: a `port run` or a `port ui`. */
	supervisorPid: number;
	supervisorStartTime: string;
	owner: 'run' | 'ui';
	/**
	 * Its `port run` supervises other services too (`port run` with no arguments): stop this one
	 * by its own process group, never by signalling the supervisor (which would stop them all).
	 */
	sharedSupervisor?: true;
	/** Asked to restart (control.ts requestRestart): such a `port run` restarts only the ones asked. */
	restartRequested?: true;
	command: string[];
	cwd: string;
	logFile: string;
	configFile: string;
	routeName: string;
	startedAt: string;
	/** Read from the older shape (registry-legacy.ts): no start times, no supervisor. */
	legacy?: true;
	/** Set by the supervisor: starting, ready, or listening on other ports (supervise/readiness.ts). */
	readiness?: Readiness;
}

export interface ProjectEntry {
	repo: string;
	worktree: string;
	path: string;
	composeProject: string;
	domain: string;
	/** Published (logical) ports routed through Traefik for this worktree. */
	ports: number[];
	updatedAt: string;
	/** Absolute path of the compose file used (set by `port up`). */
	composeFile?: string;
	/** What each routed port reaches (set by `port up`; status and urls read it). */
	routes?: Array<{service: string; published: number; target: number; router: string}>;
	/** Read from the older shape `{repo, branch, ports}` (registry-legacy.ts). */
	legacy?: true;
	/** Non-HTTP ports and the loopback host port each is published on (set by `port up`). */
	tcp?: Array<{service: string; published: number; target: number; hostPort: number}>;
}

/**
 * A port handed out but not yet registered; keeps concurrent `port run`s from sharing it. Live
 * exactly as long as its owner (pid + start time): starting Traefik may take minutes.
 */
export interface Reservation {
	port: number;
	pid: number;
	startTime: string;
	/** When it was made, ms since the epoch (informational). */
	createdAt: number;
	/**
	 * The same time under its old, misleading name: older ports read it (a reservation without it
	 * is dropped by them, so their next write would lose the claim). Written by newReservation.
	 */
	expiresAt?: number;
	/** `<repo>\n<worktree>\n<logical port>` being claimed, so two claims of one service conflict. */
	key?: string;
	/** What the claim will route, so claims still in progress count as routed. */
	repo?: string;
	hostname?: string;
	logicalPort?: number;
	/** Who is starting it: a `port run` stops when asked (SIGTERM), a dashboard is waited for. */
	owner?: 'run' | 'ui';
	/** Claimed by a `port run` that starts several services: never SIGTERM it for this one. */
	sharedSupervisor?: true;
}

/** Entries this version does not understand: kept out of the lists, written back unchanged. */
export const unknownEntries = Symbol('unknownEntries');

export interface Registry {
	version: number;
	projects: ProjectEntry[];
	hostServices: HostService[];
	reservations: Reservation[];
	[unknownEntries]?: {projects: unknown[]; hostServices: unknown[]};
}

export const emptyRegistry = (): Registry => ({version: registryVersion, projects: [], hostServices: [], reservations: []});

const isPort = (v: unknown) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65_535;
const isPid = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
const isString = (v: unknown) => typeof v === 'string';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function isHostService(v: unknown): v is HostService {
	return (
		isObject(v) &&
		isString(v['id']) &&
		isString(v['repo']) &&
		isString(v['branch']) &&
		isString(v['hostname']) &&
		isPort(v['logicalPort']) &&
		isPort(v['actualPort']) &&
		isPid(v['pid']) &&
		isString(v['pidStartTime']) &&
		isPid(v['supervisorPid']) &&
		isString(v['supervisorStartTime']) &&
		(v['owner'] === 'run' || v['owner'] === 'ui') &&
		Array.isArray(v['command']) &&
		isString(v['cwd']) &&
		isString(v['logFile']) &&
		isString(v['configFile']) &&
		isString(v['routeName'])
	);
}

export function isProjectEntry(v: unknown): v is ProjectEntry {
	return (
		isObject(v) &&
		isString(v['repo']) &&
		isString(v['worktree']) &&
		isString(v['path']) &&
		isString(v['composeProject']) &&
		isString(v['domain']) &&
		Array.isArray(v['ports']) &&
		v['ports'].every(isPort)
	);
}

/** A reservation of this or an older port (which wrote its creation time as `expiresAt` only). */
function readReservation(v: unknown): Reservation | undefined {
	if (!isObject(v) || !isPort(v['port']) || !isPid(v['pid']) || !isString(v['startTime'])) return undefined;
	const createdAt = typeof v['createdAt'] === 'number' ? v['createdAt'] : v['expiresAt'];
	return typeof createdAt === 'number' ? ({...v, createdAt} as unknown as Reservation) : undefined;
}

/** A reservation as written today: both names of its creation time (see Reservation.expiresAt). */
export const newReservation = (fields: Omit<Reservation, 'createdAt' | 'expiresAt'>, now = Date.now()): Reservation => ({...fields, createdAt: now, expiresAt: now});

export type Checked = {kind: 'ok'; registry: Registry} | {kind: 'future'; version: number} | {kind: 'corrupt'; reason: string};

/** Current shape, else the older one, else undefined (kept as it is, unused). */
const readEntry = <T>(current: (v: unknown) => v is T, legacy: (v: Record<string, unknown>) => T | undefined) => (v: unknown) =>
	current(v) ? v : isObject(v) ? legacy(v) : undefined;
const readHostService = readEntry(isHostService, legacyHostService);
const readProject = readEntry(isProjectEntry, legacyProject);

/**
 * Classifies parsed JSON: usable, from a newer `port`, or unusable (not an object, or its
 * `projects`/`hostServices` not a list). Top-level keys and entries this version does not know are kept, so a
 * rewrite loses nothing (see serializeRegistry).
 */
export function checkRegistry(value: unknown): Checked {
	if (!isObject(value)) return {kind: 'corrupt', reason: 'not a JSON object'};
	const version = value['version'] ?? registryVersion;
	if (typeof version !== 'number') return {kind: 'corrupt', reason: '"version" is not a number'};
	if (version > registryVersion) return {kind: 'future', version};
	const lists = ['projects', 'hostServices'] as const;
	for (const key of lists) {
		if (value[key] !== undefined && !Array.isArray(value[key])) return {kind: 'corrupt', reason: `"${key}" is not an array`};
	}
	const unknown = {projects: [] as unknown[], hostServices: [] as unknown[]};
	const sort = <T>(list: unknown, read: (v: unknown) => T | undefined, rest: unknown[]): T[] =>
		((list as unknown[] | undefined) ?? []).flatMap(v => {
			const entry = read(v);
			if (entry === undefined) rest.push(v);
			return entry === undefined ? [] : [entry];
		});
	const reservations = Array.isArray(value['reservations']) ? value['reservations'] : [];
	const registry: Registry = {
		...value,
		version: registryVersion,
		projects: sort(value['projects'], readProject, unknown.projects),
		hostServices: sort(value['hostServices'], readHostService, unknown.hostServices),
		reservations: reservations.flatMap(v => readReservation(v) ?? []),
	};
	if (unknown.projects.length + unknown.hostServices.length > 0) registry[unknownEntries] = unknown;
	return {kind: 'ok', registry};
}

/** The file's text: unknown top-level keys stay (spread in), unknown entries go back at the end. */
export function serializeRegistry(registry: Registry): string {
	const kept = registry[unknownEntries];
	const out = kept ? {...registry, projects: [...registry.projects, ...kept.projects], hostServices: [...registry.hostServices, ...kept.hostServices]} : registry;
	return `${JSON.stringify(out, null, 2)}\n`;
}
