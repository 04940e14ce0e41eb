/** Shapes of `$PORT_HOME/registry.json` (documented in readme.md). */

export const registryVersion = 1;

export interface HostService {
	/** Unique per run; route, log and registry entry are all keyed by it. */
	id: string;
	/** Absolute path of the repository's main checkout. */
	repo: string;
	/** Sanitized worktree name (the hostname's first label). */
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
	command: string[];
	cwd: string;
	logFile: string;
	configFile: string;
	routeName: string;
	startedAt: string;
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
	/** When it was made (informational). */
	expiresAt: number;
	/** `<repo>\n<worktree>\n<logical port>` being claimed, so two claims of one service conflict. */
	key?: string;
	/** What the claim will route, so claims still in progress count as routed. */
	repo?: string;
	hostname?: string;
	logicalPort?: number;
}

export interface Registry {
	version: number;
	projects: ProjectEntry[];
	hostServices: HostService[];
	reservations: Reservation[];
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

const isReservation = (v: unknown): v is Reservation =>
	isObject(v) && isPort(v['port']) && isPid(v['pid']) && isString(v['startTime']) && typeof v['expiresAt'] === 'number';

export type Checked =
	| {kind: 'ok'; registry: Registry}
	| {kind: 'future'; version: number}
	| {kind: 'corrupt'; reason: string}
	| {kind: 'partial'; registry: Registry; dropped: number};

/** Classifies parsed JSON: fine, from a newer `port`, unusable, or usable minus bad entries. */
export function checkRegistry(value: unknown): Checked {
	if (!isObject(value)) return {kind: 'corrupt', reason: 'not a JSON object'};
	const version = value['version'] ?? registryVersion;
	if (typeof version !== 'number') return {kind: 'corrupt', reason: '"version" is not a number'};
	if (version > registryVersion) return {kind: 'future', version};
	const lists = ['projects', 'hostServices'] as const;
	for (const key of lists) {
		if (value[key] !== undefined && !Array.isArray(value[key])) return {kind: 'corrupt', reason: `"${key}" is not an array`};
	}
	const projects = (value['projects'] as unknown[] | undefined) ?? [];
	const hostServices = (value['hostServices'] as unknown[] | undefined) ?? [];
	const reservations = Array.isArray(value['reservations']) ? value['reservations'] : [];
	const registry: Registry = {
		version: registryVersion,
		projects: projects.filter(isProjectEntry),
		hostServices: hostServices.filter(isHostService),
		reservations: reservations.filter(isReservation),
	};
	const dropped = projects.length - registry.projects.length + (hostServices.length - registry.hostServices.length);
	return dropped > 0 ? {kind: 'partial', registry, dropped} : {kind: 'ok', registry};
}
