import {existsSync, mkdirSync} from 'node:fs';
import path from 'node:path';
import type {Options} from 'execa';
import {readComposeFile, parseOverride, planOverride, type OverridePlan, type Route} from './compose-file.js';
import {chooseHostPorts, previousHostPorts, type TcpPort} from './tcp-ports.js';
import {composeVersion, composeMissingError, composeVersionIfInstalled, docker, dockerAvailability, ensureNetwork, explainFailure, throwIfAborted, type DockerResult} from '../docker/cli.js';
import {writeFileAtomic} from '../atomic-write.js';
import {ExitCode, PortError, fsError} from '../errors.js';
import {findHostService, routeOwner} from '../supervise/host-service.js';
import {hostnameFor, sanitizeName, shortHash} from '../names.js';
import {listWorktrees, type Project} from '../git/project.js';
import {readRegistry, updateRegistry, type HostService, type ProjectEntry, type Registry} from '../registry/registry.js';
import {liveReservations, serviceKey} from '../registry/reservations.js';
import {isStale, registryFacts} from '../supervise/stale.js';
import type {ProcessFacts} from '../supervise/process-info.js';
import {readinessText} from '../supervise/readiness.js';
import {assertTraefikCanPublish, ensureTraefik, stopTraefikIfUnused, traefikState, type TraefikState} from '../traefik/container.js';
import {traefikNetwork} from '../traefik/static-files.js';

/** `ports: !reset []` needs Compose 2.18.0 (`!override` would need 2.24.4). */
export const minimumCompose = '2.18.0';
/** `ports: !override [...]`, used for non-HTTP ports. */
export const tcpCompose = '2.24.4';

export interface ComposeContext {
	repoRoot: string;
	worktree: string;
	worktreePath: string;
	domain: string;
	composeFile: string;
	overrideFile: string;
	/** `docker compose -p` name: unique per repository and worktree. */
	name: string;
	hostname: string;
	/** `"lan": true` in .port/config.jsonc: routed ports listen beyond loopback. */
	lan: boolean;
	/** `"ports"` of .port/config.jsonc: protocol overrides per published port. */
	protocols: Record<string, 'http' | 'tcp'>;
}

/**
 * `<repo>-<worktree>-<hash of the repo root>`: readable, a valid Compose project name
 * (`[a-z0-9][a-z0-9_-]*`), and distinct for two repositories that share a name.
 */
export const composeProjectName = (repoRoot: string, worktree: string) =>
	`${sanitizeName(path.basename(repoRoot))}-${worktree}-${shortHash(repoRoot, 6)}`;

export const overrideFileFor = (worktreePath: string) => path.join(worktreePath, '.port', 'override.yml');

export function composeContext(project: Pick<Project, 'repoRoot' | 'worktree' | 'worktreePath' | 'config'>): ComposeContext {
	return {
		repoRoot: project.repoRoot,
		worktree: project.worktree,
		worktreePath: project.worktreePath,
		domain: project.config.domain,
		composeFile: path.resolve(project.worktreePath, project.config.compose),
		overrideFile: overrideFileFor(project.worktreePath),
		name: composeProjectName(project.repoRoot, project.worktree),
		hostname: hostnameFor(project.worktree, project.config.domain),
		lan: project.config.lan,
		protocols: project.config.ports,
	};
}

/** `compose -p <name> -f <compose> -f <override>`: the flags every compose call of a worktree uses. */
export const composeArgs = (ctx: ComposeContext) => ['compose', '-p', ctx.name, '-f', ctx.composeFile, '-f', ctx.overrideFile];

/** Reads the compose file and builds the override (pure: nothing is written). Config errors exit 3. */
export function planFor(ctx: ComposeContext, tcpHostPorts?: Record<string, number>): OverridePlan {
	return planOverride(readComposeFile(ctx.composeFile), {repoRoot: ctx.repoRoot, worktree: ctx.worktree, domain: ctx.domain, protocols: ctx.protocols, lan: ctx.lan, tcpHostPorts});
}

/** The plan with a host port for every tcp port: kept from the last `port up` while free. */
async function planWithTcpPorts(ctx: ComposeContext, version: string): Promise<OverridePlan> {
	const first = planFor(ctx);
	if (first.tcp.length === 0) return first;
	if (compareVersions(version, tcpCompose) < 0) {
		throw new PortError(
			`Docker Compose ${version} is too old for non-HTTP ports (${first.tcp.map(t => `${t.service}:${t.published}`).join(', ')}): port needs ${tcpCompose} or newer (for \`ports: !override\`).`,
			ExitCode.docker,
			'Update Docker Compose, or mark these ports "http" in .port/config.jsonc ("ports").',
		);
	}
	const chosen = await chooseHostPorts(first.tcp, ctx, previousHostPorts(ctx.overrideFile, parseOverride));
	return planFor(ctx, Object.fromEntries(chosen.map(t => [String(t.published), t.hostPort])));
}

/** Writes `.port/override.yml` atomically (only when it changed). */
export function writeOverride(ctx: ComposeContext, plan: OverridePlan): void {
	try {
		mkdirSync(path.dirname(ctx.overrideFile), {recursive: true});
	} catch (error) {
		throw fsError('create', path.dirname(ctx.overrideFile), error);
	}
	writeFileAtomic(ctx.overrideFile, plan.text);
}

export function compareVersions(a: string, b: string): number {
	const parse = (v: string) => (/^(\d+)\.(\d+)(?:\.(\d+))?/.exec(v) ?? []).slice(1, 4).map(n => Number(n ?? 0));
	const [x, y] = [parse(a), parse(b)];
	for (let i = 0; i < 3; i++) {
		const d = (x[i] ?? 0) - (y[i] ?? 0);
		if (d !== 0) return d;
	}
	return 0;
}

/**
 * Checks, before anything is written, that the docker CLI, the engine and a recent enough
 * Compose v2 are all there. Throws one line naming what is missing (exit 5).
 */
export async function requireCompose(signal?: AbortSignal): Promise<string> {
	const [engine, version] = await Promise.all([dockerAvailability(signal), composeVersion(signal)]);
	throwIfAborted(signal);
	if (!/^\d+\.\d+/.test(version)) {
		throw new PortError(`Cannot tell the Docker Compose version from "${version}".`, ExitCode.docker, `port needs Compose v2 ${minimumCompose} or newer.`);
	}
	if (compareVersions(version, minimumCompose) < 0) {
		throw new PortError(
			`Docker Compose ${version} is too old: port needs ${minimumCompose} or newer (for \`ports: !reset []\` in the override).`,
			ExitCode.docker,
			'Update the Docker Compose plugin (docker-compose-plugin) or Docker Desktop.',
		);
	}
	if (!engine.ok) throw new PortError(engine.reason, ExitCode.docker, 'Start Docker (dockerd / Docker Desktop) and try again.');
	return version;
}

const conflictError = (hostname: string, port: number, owner: string) =>
	new PortError(`${hostname}:${port} is already routed for another repository: ${owner}`, ExitCode.conflict, 'Run port down there, or use another domain in .port/config.jsonc.');

/**
 * Why this worktree's own host service (`port run` / `port ui`, alive or still claiming its
 * port) already routes `logicalPort`, or undefined. Two routers with the same rule on one
 * entrypoint would make Traefik pick one arbitrarily; `port run` refuses the reverse case
 * (composeOwnsPort). Dead entries and dead claims count as absent.
 */
export function hostServiceRouting(registry: Registry, ctx: Pick<ComposeContext, 'repoRoot' | 'worktree'>, logicalPort: number, facts?: ProcessFacts): string | undefined {
	const label = `${ctx.worktree}:${logicalPort}`;
	const tail = `; stop it with port kill ${logicalPort} or change the port`;
	const service = findHostService(registry, ctx.repoRoot, ctx.worktree, logicalPort, facts);
	if (service) return `${label} is already routed to a host service (port ${service.owner}, pid ${service.pid})${tail}`;
	const key = serviceKey(ctx.repoRoot, ctx.worktree, logicalPort);
	const claim = liveReservations(registry, facts).find(r => r.key === key);
	if (claim) return `${label} is already routed to a host service being started (pid ${claim.pid})${tail}`;
	return undefined;
}

function checkConflicts(registry: Registry, ctx: ComposeContext, routes: Route[]): void {
	const facts = registryFacts(registry); // one pass for every route's checks (one ps on macOS)
	for (const route of routes) {
		const owner = routeOwner(registry, ctx.hostname, route.published, ctx.repoRoot, facts);
		if (owner) throw conflictError(ctx.hostname, route.published, owner);
		const ownService = hostServiceRouting(registry, ctx, route.published, facts);
		if (ownService) throw new PortError(ownService, ExitCode.conflict);
	}
}

const sameEntry = (p: ProjectEntry, ctx: Pick<ComposeContext, 'repoRoot' | 'worktree'>) => p.repo === ctx.repoRoot && p.worktree === ctx.worktree;

export const findProjectEntry = (registry: Registry, ctx: Pick<ComposeContext, 'repoRoot' | 'worktree'>) => registry.projects.find(p => sameEntry(p, ctx));

export const urlOf = (hostname: string, port: number) => `http://${hostname}:${port}`;
/** Where a non-HTTP port of a worktree is reached: its own host port on loopback. */
export const tcpAddress = (hostPort: number) => `localhost:${hostPort}`;

export interface UpOptions {
	/** Show docker compose's progress on our stderr while it runs. */
	progress?: boolean;
	/** Called with each step, for a short progress line. */
	onStep?: (message: string) => void;
	/** Aborted (Ctrl+C / SIGTERM): the docker call under way is stopped and composeUp throws `interrupted()`. */
	signal?: AbortSignal;
}

export interface UpResult {
	ctx: ComposeContext;
	routes: Route[];
	tcp: TcpPort[];
	notes: string[];
	traefik: TraefikState;
	composeVersion: string;
}

const streams = (progress: boolean | undefined): Options => (progress ? {stderr: ['pipe', 'inherit'], stdout: ['pipe', 'inherit']} : {});

/**
 * `port up`: validate everything first (compose file, docker, compose version, route
 * conflicts with other repositories and with this worktree's own host services), then write
 * the override, register, make Traefik ready and run `docker compose up -d`. A failure after
 * registering restores the previous registry entry.
 */
export async function composeUp(project: Project, options: UpOptions = {}): Promise<UpResult> {
	const ctx = composeContext(project);
	planFor(ctx); // a broken compose file is reported before any docker call
	const {signal} = options;
	const version = await requireCompose(signal);
	const plan = await planWithTcpPorts(ctx, version);
	checkConflicts(readRegistry(), ctx, plan.routes);
	const ports = plan.routes.map(r => r.published);
	// A published port another program holds would leave Traefik unable to start: refuse before writing.
	await assertTraefikCanPublish(ports, signal);

	writeOverride(ctx, plan);
	let previous: ProjectEntry | undefined;
	updateRegistry(registry => {
		checkConflicts(registry, ctx, plan.routes);
		previous = findProjectEntry(registry, ctx);
		const entry: ProjectEntry = {
			repo: ctx.repoRoot,
			worktree: ctx.worktree,
			path: ctx.worktreePath,
			composeProject: ctx.name,
			domain: ctx.domain,
			ports,
			updatedAt: new Date().toISOString(),
			composeFile: ctx.composeFile,
			routes: plan.routes,
			tcp: plan.tcp,
		};
		registry.projects = [...registry.projects.filter(p => !sameEntry(p, ctx)), entry];
	});
	try {
		options.onStep?.(`ensuring Traefik has entrypoints ${ports.length > 0 ? ports.join(', ') : '(none)'}`);
		const traefik = await ensureTraefik(ports, undefined, undefined, {signal, lan: ctx.lan});
		await ensureNetwork(traefikNetwork, signal);
		options.onStep?.(`docker compose -p ${ctx.name} up -d`);
		const result = await docker([...composeArgs(ctx), 'up', '-d'], {cwd: ctx.worktreePath, cancelSignal: signal, ...streams(options.progress)});
		if (result.exitCode !== 0) throw explainFailure(result, `docker compose up (project ${ctx.name})`);
		return {ctx, routes: plan.routes, tcp: plan.tcp, notes: plan.notes, traefik, composeVersion: version};
	} catch (error) {
		updateRegistry(registry => {
			registry.projects = registry.projects.filter(p => !sameEntry(p, ctx));
			if (previous) registry.projects.push(previous);
		});
		if (error instanceof PortError && !error.hint && error.exitCode === ExitCode.docker) {
			throw new PortError(error.message, error.exitCode, "Run 'port down' to remove anything that did start.", {cause: error});
		}
		throw error;
	}
}

/**
 * `docker compose down` for a worktree, then unregisters it. Uses the compose and override
 * files when both are there and still valid; otherwise the project name alone (Compose finds
 * the containers by their project label), so a broken or deleted compose file never strands a stack.
 * Without the Compose plugin a worktree that is not registered has nothing to take down
 * (`ran: false`); a registered one fails with one line (exit 5) before docker prints its usage.
 */
export async function composeDown(ctx: ComposeContext, options: {progress?: boolean} = {}): Promise<{wasRegistered: boolean; ran: boolean}> {
	if ((await composeVersionIfInstalled()) === undefined) {
		if (findProjectEntry(readRegistry(), ctx)) throw composeMissingError();
		return {wasRegistered: false, ran: false};
	}
	const withFiles = existsSync(ctx.composeFile) && existsSync(ctx.overrideFile);
	const cwd = existsSync(ctx.worktreePath) ? ctx.worktreePath : undefined;
	let result: DockerResult = await docker([...(withFiles ? composeArgs(ctx) : ['compose', '-p', ctx.name]), 'down'], {cwd, ...streams(options.progress)});
	if (result.exitCode !== 0 && withFiles) {
		const fallback = await docker(['compose', '-p', ctx.name, 'down'], {cwd, ...streams(options.progress)});
		if (fallback.exitCode === 0 || /Cannot connect|daemon/i.test(fallback.stderr)) result = fallback;
	}
	if (result.exitCode !== 0) throw explainFailure(result, `docker compose down (project ${ctx.name})`);
	let wasRegistered = false;
	updateRegistry(registry => {
		wasRegistered = registry.projects.some(p => sameEntry(p, ctx));
		registry.projects = registry.projects.filter(p => !sameEntry(p, ctx));
	});
	return {wasRegistered, ran: true};
}

/** Live host services (`port run`) of one worktree. */
export const hostServicesOf = (registry: Registry, repo: string, worktree: string): HostService[] =>
	registry.hostServices.filter(s => s.repo === repo && s.branch === worktree && !isStale(s));

export {stopTraefikIfUnused};

// ---------------------------------------------------------------------------------------------
// Status

export interface ContainerRow {
	Name?: string;
	Service?: string;
	State?: string;
	Status?: string;
	Health?: string;
}

/** `docker compose ps --format json`: one object per line (Compose <= 2.20-ish) or one array (newer). */
export function parsePsOutput(stdout: string): ContainerRow[] {
	const text = stdout.trim();
	if (text === '') return [];
	if (text.startsWith('[')) return JSON.parse(text) as ContainerRow[];
	return text
		.split('\n')
		.map(line => line.trim())
		.filter(line => line !== '')
		.map(line => JSON.parse(line) as ContainerRow);
}

export interface ServiceStatus {
	service: string;
	container: string | null;
	state: string;
	status: string;
	urls: string[];
	/** Non-HTTP ports: `localhost:<host port>` (not routed). */
	tcp: string[];
}

export interface HostServiceStatus {
	logicalPort: number;
	actualPort: number;
	pid: number;
	command: string[];
	url: string;
	direct: string;
	readiness?: string;
}

export interface WorktreeStatus {
	repo: string;
	worktree: string;
	path: string;
	branch: string | null;
	current: boolean;
	composeProject: string;
	/** Registered by `port up` (and not yet `port down`). */
	up: boolean;
	services: ServiceStatus[];
	hostServices: HostServiceStatus[];
	/** Why the compose state could not be read. */
	error?: string;
}

export interface StatusReport {
	traefik: TraefikState;
	docker: {available: boolean; reason?: string};
	worktrees: WorktreeStatus[];
}

/** Runs `fn` over `items` with at most `limit` running at once; results keep the input order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
	const results = new Array<R>(items.length);
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const index = next++;
			results[index] = await fn(items[index]!);
		}
	};
	await Promise.all(Array.from({length: Math.min(limit, items.length)}, worker));
	return results;
}

export const statusConcurrency = 4;

interface Target {
	repo: string;
	worktree: string;
	path: string;
	branch: string | null;
	current: boolean;
	domain: string;
}

/**
 * Status of every worktree of `project`'s repository (or, outside a repository, of every
 * registered project): one `docker compose ps` per worktree, at most `statusConcurrency` at a time.
 */
export async function collectStatus(project: Project | undefined): Promise<StatusReport> {
	const registry = readRegistry();
	const targets: Target[] = [];
	if (project) {
		for (const w of listWorktrees(project.repoRoot)) {
			targets.push({repo: project.repoRoot, worktree: w.name, path: w.path, branch: w.branch ?? null, current: w.path === project.worktreePath, domain: project.config.domain});
		}
	}
	const known = new Set(targets.map(t => `${t.repo}\n${t.worktree}`));
	const add = (repo: string, worktree: string, p: string, domain: string) => {
		if (project && repo !== project.repoRoot) return;
		const key = `${repo}\n${worktree}`;
		if (known.has(key)) return;
		known.add(key);
		targets.push({repo, worktree, path: p, branch: null, current: false, domain});
	};
	for (const p of registry.projects) add(p.repo, p.worktree, p.path, p.domain);
	for (const s of registry.hostServices) add(s.repo, s.branch, s.cwd, s.hostname.slice(s.branch.length + 1));

	const [availability, traefik] = await Promise.all([dockerAvailability(), traefikState()]);
	const worktrees = await mapLimit(targets, statusConcurrency, async target => {
		const entry = registry.projects.find(p => p.repo === target.repo && p.worktree === target.worktree);
		const hostname = hostnameFor(target.worktree, entry?.domain ?? target.domain);
		const status: WorktreeStatus = {
			repo: target.repo,
			worktree: target.worktree,
			path: target.path,
			branch: target.branch,
			current: target.current,
			composeProject: entry?.composeProject ?? composeProjectName(target.repo, target.worktree),
			up: entry !== undefined,
			services: [],
			hostServices: hostServicesOf(registry, target.repo, target.worktree).map(s => ({
				logicalPort: s.logicalPort,
				actualPort: s.actualPort,
				pid: s.pid,
				command: s.command,
				url: urlOf(s.hostname, s.logicalPort),
				direct: `http://localhost:${s.actualPort}`,
				// starting | ready | not listening on <port> (listens on ...); absent: unknown.
				readiness: readinessText(s.readiness, s.actualPort),
			})),
		};
		const urlsOf = (service: string) => (entry?.routes ?? []).filter(r => r.service === service).map(r => urlOf(hostname, r.published));
		const tcpOf = (service: string) => (entry?.tcp ?? []).filter(t => t.service === service).map(t => tcpAddress(t.hostPort));
		let rows: ContainerRow[] = [];
		if (!availability.ok) {
			status.error = availability.reason;
		} else {
			const ps = await docker(['compose', '-p', status.composeProject, 'ps', '--all', '--format', 'json'], {cwd: existsSync(target.path) ? target.path : undefined});
			if (ps.exitCode !== 0) status.error = explainFailure(ps, 'docker compose ps').message;
			else {
				try {
					rows = parsePsOutput(ps.stdout);
				} catch {
					status.error = `unreadable output of docker compose ps: ${ps.stdout.slice(0, 80)}`;
				}
			}
		}
		for (const row of rows) {
			const service = row.Service ?? row.Name ?? '?';
			status.services.push({service, container: row.Name ?? null, state: row.State ?? 'unknown', status: row.Status ?? '', urls: urlsOf(service), tcp: tcpOf(service)});
		}
		for (const service of new Set([...(entry?.routes ?? []), ...(entry?.tcp ?? [])].map(r => r.service))) {
			if (!status.services.some(s => s.service === service)) status.services.push({service, container: null, state: 'missing', status: 'no container', urls: urlsOf(service), tcp: tcpOf(service)});
		}
		status.services.sort((a, b) => a.service.localeCompare(b.service));
		return status;
	});
	return {traefik, docker: availability.ok ? {available: true} : {available: false, reason: availability.reason}, worktrees};
}
