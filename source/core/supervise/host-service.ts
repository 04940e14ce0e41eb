import {randomBytes} from 'node:crypto';
import {constants} from 'node:os';
import type {Writable} from 'node:stream';
import {execa, type ResultPromise} from 'execa';
import {ExitCode, PortError} from '../errors.js';
import {hostRouteName, hostnameFor} from '../names.js';
import {freePortCandidate, takenPorts} from '../registry/ports.js';
import {liveReservations, parseServiceKey, releaseReservation, serviceKey} from '../registry/reservations.js';
import {isAlive, processStartTime, signalGroup, signalProcess, stopGroup, stopGraceMs, groupAlive, type ProcessFacts} from './process-info.js';
import type {Project} from '../git/project.js';
import {readRegistry, updateRegistry, type HostService, type Registry, type Reservation} from '../registry/registry.js';
import {removeRoute, writeRoute} from '../traefik/routes.js';
import {childAlive, isStale, registryFacts, removeHostService, routeStillWanted, supervisorAlive} from './stale.js';
import {warn} from '../warnings.js';
import {ensureTraefik, traefikState, type TraefikState} from '../traefik/container.js';
import {CappedLog, logFileFor, removeLog} from '../logs/capped-log.js';
import {startLogRelay, type LogRelay} from '../logs/relay.js';
import {legacyRefusal, stopLegacyProcess} from './legacy-process.js';
import {prepareCommand} from './prepare.js';
import {defaultReadyGraceMs, readinessMessage, type Readiness} from './readiness.js';
import {trackReadiness} from './track.js';

export const serviceLabel = (s: Pick<HostService, 'branch' | 'logicalPort'>) => `${s.branch}:${s.logicalPort}`;

const sameService = (s: HostService, repo: string, branch: string, logicalPort: number) =>
	s.repo === repo && s.branch === branch && s.logicalPort === logicalPort;

/** The live service for this repo + worktree + logical port, if any. */
export function findHostService(registry: Registry, repo: string, branch: string, logicalPort: number, facts?: ProcessFacts): HostService | undefined {
	return registry.hostServices.find(s => sameService(s, repo, branch, logicalPort) && !isStale(s, facts));
}

/**
 * Another repository already routing this hostname + port: a host service, a claim still being
 * set up by a concurrent `port run`, or a compose project.
 */
export function routeOwner(registry: Registry, hostname: string, logicalPort: number, repo: string, facts?: ProcessFacts): string | undefined {
	const service = registry.hostServices.find(s => s.hostname === hostname && s.logicalPort === logicalPort && s.repo !== repo && !isStale(s, facts));
	if (service) return service.repo;
	const claim = liveReservations(registry, facts).find(r => r.repo !== undefined && r.repo !== repo && r.hostname === hostname && r.logicalPort === logicalPort);
	if (claim) return claim.repo;
	return registry.projects.find(p => p.repo !== repo && hostnameFor(p.worktree, p.domain) === hostname && p.ports.includes(logicalPort))?.repo;
}

/** The same worktree's compose stack (`port up`) already publishes this logical port? */
export const composeOwnsPort = (registry: Registry, repo: string, worktree: string, logicalPort: number) =>
	registry.projects.some(p => p.repo === repo && p.worktree === worktree && p.ports.includes(logicalPort));

const routeTakenError = (hostname: string, port: number, owner: string) =>
	new PortError(`${hostname}:${port} is already routed for another repository: ${owner}`, ExitCode.conflict, 'Stop it there, or use another domain in .port/config.jsonc.');

export const alreadyRunningError = (label: string) =>
	new PortError(`Service already running for ${label}.`, ExitCode.conflict, 'Use --replace to replace it, or `port kill` to stop it.');

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
const current = (id: string) => readRegistry().hostServices.find(s => s.id === id);

/** Waits until the entry is gone; false if it is still there at the deadline. */
async function entryGone(id: string, timeoutMs: number): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;
	while (current(id)) {
		if (Date.now() > deadline) return false;
		await sleep(25);
	}
	return true;
}

/**
 * Stops a registered service wherever it runs. A `port run` is asked to stop (SIGTERM to it,
 * identity-checked): it stops its child's whole group, cleans up and exits 143, and a restart it
 * has under way cannot bring the child back. Otherwise (a dashboard's service, or an orphan) the
 * child's group gets SIGTERM, then SIGKILL after the grace period; if its live supervisor
 * re-spawned it meanwhile (restart), the new child is stopped too. Whatever the supervisor does
 * not clean up within a few seconds, we remove ourselves.
 */
export async function stopHostService(service: HostService, graceMs = stopGraceMs()): Promise<void> {
	if (service.legacy) {
		// An older port's entry: signalled only when its command line proves it (legacy-process.ts).
		if (childAlive(service) && !(await stopLegacyProcess(service, graceMs))) throw new PortError(legacyRefusal(service), ExitCode.failure);
		removeHostService(service.id);
		return;
	}
	if (service.owner === 'run' && signalProcess(service.supervisorPid, service.supervisorStartTime, 'SIGTERM')) {
		if (await entryGone(service.id, graceMs + 5000)) return;
	}
	let target: HostService | undefined = service;
	for (let round = 0; target && round < 5; round++) {
		if (childAlive(target) || groupAlive(target.pid)) await stopGroup(target.pid, target.pidStartTime, graceMs);
		if (!supervisorAlive(target) || (await entryGone(target.id, 3000))) break;
		const again = current(target.id);
		// Same child still registered: the supervisor is slow to clean up; a new pid: it restarted.
		target = again && again.pid !== target.pid ? again : undefined;
	}
	if (current(service.id)) removeHostService(service.id);
}

/** A live claim of this service by another process still setting it up (`port run` / `port ui`). */
export function startingClaim(registry: Registry, repo: string, branch: string, logicalPort: number): Reservation | undefined {
	const key = serviceKey(repo, branch, logicalPort);
	return liveReservations(registry).find(r => r.key === key && r.pid !== process.pid);
}

/**
 * Stops a service another process is still setting up. A `port run` is asked to stop (SIGTERM:
 * it gives its claim back, or stops the child it has just started); a dashboard is waited for
 * until it has started the service, which is then stopped like any other. Resolves once
 * neither the claim nor a service of that process is left; throws (exit 4) if it stays.
 */
export async function stopStartingService(claim: Reservation, graceMs = stopGraceMs()): Promise<void> {
	const {repo, branch, logicalPort} = parseServiceKey(claim.key ?? '');
	const asked = claim.owner !== 'ui' && signalProcess(claim.pid, claim.startTime, 'SIGTERM');
	const deadline = Date.now() + (asked ? graceMs + 5000 : 60_000);
	for (;;) {
		const registry = readRegistry();
		const claimed = liveReservations(registry).some(r => r.key === claim.key && r.pid === claim.pid);
		const service = findHostService(registry, repo, branch, logicalPort);
		if (!claimed && !service) return;
		// Started meanwhile by a dashboard (or by a `port run` that never saw the signal): stop it.
		if (!claimed && service && !(asked && service.supervisorPid === claim.pid && isAlive(claim.pid, claim.startTime))) {
			await stopHostService(service, graceMs);
			return;
		}
		if (Date.now() > deadline) {
			throw new PortError(`${branch}:${logicalPort} is still being started by pid ${claim.pid}.`, ExitCode.conflict, 'Try again once it has started, or stop it with `port kill`.');
		}
		await sleep(25);
	}
}

/** Sends SIGKILL to the whole group at once (the dashboard's force-kill). */
export function forceKillHostService(service: HostService): boolean {
	return signalGroup(service.pid, service.pidStartTime, 'SIGKILL');
}

/**
 * Asks the `port run` that supervises a service to restart its child in place (control
 * channel: SIGUSR2 to the supervisor, identity-checked by start time). Its terminal keeps
 * streaming; the entry keeps its id, route and actual port.
 */
export function requestRestart(service: HostService): boolean {
	return service.owner === 'run' && signalProcess(service.supervisorPid, service.supervisorStartTime, 'SIGUSR2');
}

export interface LaunchRequest {
	project: Pick<Project, 'repoRoot' | 'worktree' | 'config'>;
	logicalPort: number;
	command: string[];
	cwd: string;
	owner: HostService['owner'];
	/**
	 * `pipe`: we relay output (to `stdout`/`stderr` if given, and to the log file).
	 * `file`: the child writes straight into its log file, so it survives its supervisor (the
	 * dashboard's "leave running") and anyone can follow the file.
	 */
	output: 'pipe' | 'file';
	stdout?: Writable;
	stderr?: Writable;
	onOutput?: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
	/** Sets FORCE_COLOR for the child (when our output is a terminal or a coloured log view). */
	color?: boolean;
	/** Told about slow steps before the child starts (starting Traefik). */
	onProgress?: (message: string) => void;
	/** Aborted (e.g. Ctrl+C during set-up): give the claim back and never start the child. */
	signal?: AbortSignal;
	/** Extra environment (a declared service's `env`); see supervise/child-env.ts for the rest. */
	env?: Record<string, string>;
	/** False: never add `--port` to a known dev server (`port run --no-inject`). */
	inject?: boolean;
	/** How long a child may take to listen on its port before we say where it listens instead. */
	readyGraceMs?: number;
	/** Told what changed in the command and how readiness goes (`port run` prints it). */
	onNotice?: (message: string) => void;
}

export interface ExitInfo {
	/** The child's exit code, or null when it died of a signal. */
	code: number | null;
	signal: NodeJS.Signals | null;
	/** Set when the command could not be started at all. */
	spawnError?: 'ENOENT' | 'EACCES' | string;
}

/** The exit code `port run` leaves with for a given child end (128+n for a signal, 127/126 for spawn errors). */
export function exitCodeFor(info: ExitInfo): number {
	if (info.spawnError === 'ENOENT') return ExitCode.notFound;
	if (info.spawnError) return ExitCode.notExecutable;
	if (info.signal) return signalExitCode(info.signal);
	return info.code ?? 1;
}

const signalNumber = (signal: NodeJS.Signals): number | undefined => constants.signals[signal as keyof typeof constants.signals];

/** The shell convention for "ended by signal n": 128 + n. */
export const signalExitCode = (signal: NodeJS.Signals) => 128 + (signalNumber(signal) ?? 0);

export interface Launched {
	service: HostService;
	traefik: TraefikState;
	supervised: SupervisedService;
}

/**
 * Claims the service (conflict checks + a reserved port, atomically under the registry lock),
 * ensures Traefik's entrypoint, writes the route, spawns the child in its own process group,
 * and registers it with its real pid. The returned handle stops / restarts it and cleans up
 * however it ends.
 */
export async function launchHostService(request: LaunchRequest): Promise<Launched> {
	const {project, logicalPort} = request;
	const repo = project.repoRoot;
	const branch = project.worktree;
	const hostname = hostnameFor(branch, project.config.domain);
	// Ask Docker for Traefik's state now: the `docker inspect` runs while the port is claimed
	// (bench/readiness.mjs: ~20 ms less before the child starts).
	const knownTraefik = traefikState(request.signal);
	knownTraefik.catch(() => {});
	const actualPort = await claimPort(repo, branch, hostname, logicalPort, request.owner);
	const releaseClaim = () => updateRegistry(r => releaseReservation(r, actualPort));
	let traefik: TraefikState;
	let configFile: string;
	const routeName = hostRouteName(repo, branch, logicalPort);
	try {
		traefik = await ensureTraefik([logicalPort], request.onProgress, knownTraefik, {signal: request.signal, lan: project.config.lan});
		configFile = writeRoute({name: routeName, hostname, logicalPort, actualPort});
	} catch (error) {
		releaseClaim();
		throw error;
	}
	const id = `${routeName}-${randomBytes(3).toString('hex')}`;
	if (request.signal?.aborted) {
		releaseClaim();
		removeRoute(configFile);
		throw new PortError('Interrupted before the command started.', ExitCode.failure);
	}
	const supervised = new SupervisedService(request, {
		id,
		repo,
		branch,
		hostname,
		logicalPort,
		actualPort,
		configFile,
		routeName,
		logFile: logFileFor(id),
	});
	try {
		await supervised.start();
	} catch (error) {
		releaseClaim();
		removeRoute(configFile);
		throw error;
	}
	return {service: supervised.entry ?? supervised.pendingEntry(), traefik, supervised};
}

async function claimPort(repo: string, branch: string, hostname: string, logicalPort: number, owner: HostService['owner']): Promise<number> {
	const self = processStartTime(process.pid) ?? '';
	const key = serviceKey(repo, branch, logicalPort);
	for (let attempt = 0; attempt < 50; attempt++) {
		const candidate = await freePortCandidate(takenPorts(readRegistry()));
		const claimed = updateRegistry(registry => {
			// One pass over every pid for all the checks under the lock (one ps on macOS).
			const facts = registryFacts(registry);
			registry.reservations = liveReservations(registry, facts);
			const otherRepo = routeOwner(registry, hostname, logicalPort, repo, facts);
			if (otherRepo) throw routeTakenError(hostname, logicalPort, otherRepo);
			if (composeOwnsPort(registry, repo, branch, logicalPort)) {
				throw new PortError(
					`${hostname}:${logicalPort} is already routed to this worktree's compose services (port up).`,
					ExitCode.conflict,
					'Use another logical port, or `port down` first.',
				);
			}
			if (findHostService(registry, repo, branch, logicalPort, facts) || registry.reservations.some(r => r.key === key && r.pid !== process.pid)) {
				throw alreadyRunningError(`${branch}:${logicalPort}`);
			}
			if (takenPorts(registry, facts).has(candidate)) return false;
			registry.reservations.push({port: candidate, pid: process.pid, startTime: self, expiresAt: Date.now(), key, repo, hostname, logicalPort, owner});
			return true;
		});
		if (claimed) return candidate;
	}
	throw new PortError('No free port could be reserved after 50 attempts.');
}

type Identity = Omit<HostService, 'pid' | 'pidStartTime' | 'supervisorPid' | 'supervisorStartTime' | 'owner' | 'command' | 'cwd' | 'startedAt'>;

export type ServiceEvent =
	| {type: 'spawned'; service: HostService}
	| {type: 'exit'; info: ExitInfo; restarting: boolean}
	| {type: 'readiness'; readiness: Readiness; message?: string}
	| {type: 'ended'; info: ExitInfo};

/**
 * One supervised child. Owns the registry entry from spawn to end: spawns detached (own
 * process group), re-spawns in place on restart, and on ANY end stops what is left of the
 * group, then removes the entry, route file and log, and resolves `ended`.
 */
export class SupervisedService {
	entry: HostService | undefined;
	readonly ended: Promise<ExitInfo>;
	private resolveEnded!: (info: ExitInfo) => void;
	private child: ResultPromise | undefined;
	/** Our own 'exit' listener on the child (execa has its own, which must stay). */
	private onExit: ((code: number | null, signal: NodeJS.Signals | null) => void) | undefined;
	private log: CappedLog | undefined;
	private logRelay: LogRelay | undefined;
	private readiness: {stop(): void} | undefined;
	private restarting = false;
	private stopping = false;
	private finished = false;
	private readonly listeners = new Set<(event: ServiceEvent) => void>();
	private readonly supervisorStartTime = processStartTime(process.pid) ?? '';

	constructor(
		readonly request: LaunchRequest,
		readonly identity: Identity,
	) {
		this.ended = new Promise(resolve => {
			this.resolveEnded = resolve;
		});
	}

	on(listener: (event: ServiceEvent) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	private emit(event: ServiceEvent): void {
		for (const listener of this.listeners) listener(event);
	}

	pendingEntry(): HostService {
		return {
			...this.identity,
			pid: this.child?.pid ?? 0,
			pidStartTime: '',
			supervisorPid: process.pid,
			supervisorStartTime: this.supervisorStartTime,
			owner: this.request.owner,
			command: this.request.command,
			cwd: this.request.cwd,
			startedAt: new Date().toISOString(),
		};
	}

	/** Spawns the first child; rejects only for failures before a child exists (not ENOENT). */
	async start(): Promise<void> {
		this.spawn(true);
	}

	private spawn(first: boolean): void {
		const {request, identity} = this;
		const prepared = prepareCommand({
			...identity,
			command: request.command,
			cwd: request.cwd,
			domain: request.project.config.domain,
			inject: request.inject,
			declared: declaredPorts(request.project.config),
			env: request.env,
		});
		if (first) for (const note of prepared.notes) request.onNotice?.(note);
		const [file, ...args] = prepared.command;
		const env = prepared.env;
		if (request.color) env['FORCE_COLOR'] = '1';
		let stdio: {stdout: 'pipe' | Writable; stderr: 'pipe' | Writable};
		if (request.output === 'file') {
			// One relay for every run of this service (restarts write on where the last run stopped).
			this.logRelay ??= startLogRelay(identity.logFile);
			stdio = {stdout: this.logRelay.input, stderr: this.logRelay.input};
		} else {
			this.log ??= new CappedLog(identity.logFile);
			stdio = {stdout: 'pipe', stderr: 'pipe'};
		}
		const child = execa(file!, args, {
			cwd: request.cwd,
			env,
			detached: true,
			cleanup: false,
			buffer: false,
			reject: false,
			stdin: 'ignore',
			...stdio,
		});
		this.child = child;
		child.catch(() => {});
		// 'exit' fires when the child itself ends, even if grandchildren still hold its pipes.
		const onExit = (code: number | null, signal: NodeJS.Signals | null) => void this.childEnded({code, signal});
		this.onExit = onExit;
		if (request.output === 'pipe') this.relay(child);
		const pid = child.pid;
		// A command that backgrounds work and exits at once is already a zombie here: still ours.
		const startTime = pid ? processStartTime(pid, true) : undefined;
		if (pid && startTime) {
			const service: HostService = {...this.pendingEntry(), pid, pidStartTime: startTime, readiness: {state: 'starting'}};
			try {
				updateRegistry(registry => {
					if (first) releaseReservation(registry, identity.actualPort);
					const existing = first ? undefined : registry.hostServices.find(s => s.id === identity.id);
					if (existing) Object.assign(existing, {pid, pidStartTime: startTime, startedAt: service.startedAt, readiness: service.readiness});
					else registry.hostServices.push(service);
				});
			} catch (error) {
				// Unregistered, the child would run on unseen: take it down with the failure.
				signalGroup(pid, startTime, 'SIGKILL');
				throw error;
			}
			this.entry = service;
			this.emit({type: 'spawned', service});
			this.watchReadiness(service, prepared.what);
		}
		if (pid) child.once('exit', onExit);
		else void child.then(result => this.childEnded({code: null, signal: null, spawnError: result.code ?? 'ENOENT'}));
	}

	private watchReadiness(service: HostService, what: string): void {
		this.readiness?.stop();
		const graceMs = this.request.readyGraceMs ?? defaultReadyGraceMs;
		this.readiness = trackReadiness(service, graceMs, (readiness, silent) => {
			const message = readinessMessage(serviceLabel(service), what, service.actualPort, graceMs, readiness, silent);
			if (message) this.request.onNotice?.(message);
			this.emit({type: 'readiness', readiness, message});
		});
	}

	private relay(child: ResultPromise): void {
		const {request} = this;
		for (const name of ['stdout', 'stderr'] as const) {
			const stream = child[name];
			if (!stream) continue;
			stream.on('data', (chunk: Buffer) => {
				this.log?.write(chunk);
				request.onOutput?.(chunk, name);
			});
			const target = request[name];
			if (target) stream.pipe(target, {end: false});
		}
	}

	private async childEnded(info: ExitInfo): Promise<void> {
		const entry = this.entry;
		this.readiness?.stop();
		// Whatever is left of the group (grandchildren of `sh -c`, `npm run dev`) goes too.
		if (entry && groupAlive(entry.pid)) await stopGroup(entry.pid, entry.pidStartTime, Math.min(stopGraceMs(), 2000));
		const restarting = this.restarting && !this.stopping && !info.spawnError;
		this.emit({type: 'exit', info, restarting});
		if (restarting) {
			this.restarting = false;
			try {
				this.spawn(false);
				return;
			} catch (error) {
				warn(`could not restart ${serviceLabel(this.identity)}: ${error instanceof Error ? error.message : String(error)}`);
			}
		}
		this.finish(info);
	}

	private finish(info: ExitInfo): void {
		if (this.finished) return;
		this.finished = true;
		this.log?.close();
		this.logRelay?.release();
		const self = {...this.pendingEntry(), ...this.entry};
		try {
			updateRegistry(registry => {
				registry.hostServices = registry.hostServices.filter(s => s.id !== this.identity.id);
				releaseReservation(registry, this.identity.actualPort);
				// A replacement of this service (same route file) may already be running.
				if (!routeStillWanted(registry, self)) removeRoute(this.identity.configFile);
			});
		} catch (error) {
			// The entry stays (stale cleanup removes it later); the route must not outlive us.
			removeRoute(this.identity.configFile);
			warn(`could not unregister ${serviceLabel(this.identity)}: ${error instanceof Error ? error.message : String(error)}`);
		} finally {
			removeLog(this.identity.logFile);
			this.emit({type: 'ended', info});
			this.resolveEnded(info);
		}
	}

	/** Stops the whole group (SIGTERM, SIGKILL after the grace period) and resolves once cleaned up. */
	async stop(graceMs = stopGraceMs()): Promise<ExitInfo> {
		this.stopping = true;
		const entry = this.entry;
		if (entry && !this.finished) await stopGroup(entry.pid, entry.pidStartTime, graceMs);
		return this.ended;
	}

	/** SIGKILL to the whole group now; false when no signal could be sent (nothing of it is left). */
	kill(): boolean {
		this.stopping = true;
		return this.entry !== undefined && signalGroup(this.entry.pid, this.entry.pidStartTime, 'SIGKILL');
	}

	/** Stops the child's group and spawns the same command on the same port. */
	async restart(graceMs = stopGraceMs()): Promise<void> {
		const entry = this.entry;
		if (this.finished || this.stopping || !entry) return;
		this.restarting = true;
		await stopGroup(entry.pid, entry.pidStartTime, graceMs);
	}

	/** Forgets the child without stopping it (the dashboard's "leave running"): the entry stays. */
	detach(): void {
		this.finished = true;
		this.readiness?.stop();
		this.log?.close();
		this.logRelay?.release();
		if (this.onExit) this.child?.off('exit', this.onExit);
		this.child?.unref();
	}
}

/** Declared services' logical ports by name (for PORT_URL_<NAME>). */
function declaredPorts(config: LaunchRequest['project']['config']): Record<string, number> {
	return Object.fromEntries(Object.entries(config.services ?? {}).map(([name, service]) => [name, service.port]));
}
