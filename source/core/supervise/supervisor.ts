import type {Writable} from 'node:stream';
import {execa, type ResultPromise} from 'execa';
import type {Project} from '../git/project.js';
import {CappedLog, removeLog} from '../logs/capped-log.js';
import {startLogRelay, type LogRelay} from '../logs/relay.js';
import {releaseReservation} from '../registry/reservations.js';
import {updateRegistryAsync, type HostService} from '../registry/registry.js';
import {removeRoute} from '../traefik/routes.js';
import {warn} from '../warnings.js';
import {serviceLabel} from './conflicts.js';
import type {ExitInfo} from './exit-codes.js';
import {prepareCommand} from './prepare.js';
import {groupAlive, processStartTime, signalGroup, stopGroup, stopGraceMs} from './process-info.js';
import {defaultReadyGraceMs, readinessMessage, type Readiness} from './readiness.js';
import {routeStillWanted} from './stale.js';
import {trackReadiness} from './track.js';

/** What to run and how (given to launchHostService in launch.ts). */
export interface LaunchRequest {
	project: Pick<Project, 'repoRoot' | 'worktree' | 'config'>;
	logicalPort: number;
	command: string[];
	cwd: string;
	owner: HostService['owner'];
	/** This process supervises several services (`port run` with no arguments); see HostService. */
	sharedSupervisor?: boolean;
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

type Identity = Omit<HostService, 'pid' | 'pidStartTime' | 'supervisorPid' | 'supervisorStartTime' | 'owner' | 'sharedSupervisor' | 'command' | 'cwd' | 'startedAt'>;

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
			...(this.request.sharedSupervisor ? {sharedSupervisor: true as const} : {}),
			command: this.request.command,
			cwd: this.request.cwd,
			startedAt: new Date().toISOString(),
		};
	}

	/** Spawns the first child; rejects only for failures before a child exists (not ENOENT). */
	async start(): Promise<void> {
		await this.spawn(true);
	}

	/**
	 * Spawns and registers the child in one critical section of the registry lock (waited for
	 * without blocking the event loop): no event of the child can be seen before its entry exists.
	 */
	private async spawn(first: boolean): Promise<void> {
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
		let child: ResultPromise | undefined;
		let service: HostService | undefined;
		try {
			await updateRegistryAsync(registry => {
				child = this.spawnChild(prepared.command, prepared.env);
				const pid = child.pid;
				// A command that backgrounds work and exits at once is already a zombie here: still ours.
				const startTime = pid ? processStartTime(pid, true) : undefined;
				if (!pid || !startTime) return;
				service = {...this.pendingEntry(), pid, pidStartTime: startTime, readiness: {state: 'starting'}};
				if (first) releaseReservation(registry, identity.actualPort);
				const existing = first ? undefined : registry.hostServices.find(s => s.id === identity.id);
				if (existing) Object.assign(existing, {pid, pidStartTime: startTime, startedAt: service.startedAt, readiness: service.readiness});
				else registry.hostServices.push(service);
			});
		} catch (error) {
			// Unregistered, the child would run on unseen: take it down with the failure.
			if (service) signalGroup(service.pid, service.pidStartTime, 'SIGKILL');
			throw error;
		}
		if (!child) return;
		if (service) {
			this.entry = service;
			this.emit({type: 'spawned', service});
			this.watchReadiness(service, prepared.what);
		}
		if (child.pid) {
			// 'exit' fires when the child itself ends, even if grandchildren still hold its pipes.
			const onExit = (code: number | null, signal: NodeJS.Signals | null) => void this.childEnded({code, signal});
			this.onExit = onExit;
			child.once('exit', onExit);
		} else void child.then(result => this.childEnded({code: null, signal: null, spawnError: result.code ?? 'ENOENT'}));
	}

	private spawnChild(command: string[], env: NodeJS.ProcessEnv): ResultPromise {
		const {request, identity} = this;
		const [file, ...args] = command;
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
		const child = execa(file!, args, {cwd: request.cwd, env, detached: true, cleanup: false, buffer: false, reject: false, stdin: 'ignore', ...stdio});
		this.child = child;
		child.catch(() => {});
		if (request.output === 'pipe') this.relay(child);
		return child;
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
				await this.spawn(false);
				return;
			} catch (error) {
				warn(`could not restart ${serviceLabel(this.identity)}: ${error instanceof Error ? error.message : String(error)}`);
			}
		}
		await this.finish(info);
	}

	private async finish(info: ExitInfo): Promise<void> {
		if (this.finished) return;
		this.finished = true;
		this.log?.close();
		this.logRelay?.release();
		const self = {...this.pendingEntry(), ...this.entry};
		try {
			await updateRegistryAsync(registry => {
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
