import {heldElsewhere} from '../bind-probe.js';
import {containerState, docker, ensureNetwork, explainFailure, throwIfAborted} from '../docker/cli.js';
import {ExitCode, PortError} from '../errors.js';
import {portHome, traefikComposeFile, traefikDir} from '../paths.js';
import {readRegistry, updateRegistryAsync, type Registry} from '../registry/registry.js';
import {
	clearTraefikApplied,
	currentEntrypointPorts,
	ensureTraefikDirs,
	entrypointPortsOf,
	readTraefikApplied,
	restoreTraefikFiles,
	snapshotTraefikFiles,
	traefikComposeProject,
	traefikContainer,
	traefikFilesHash,
	traefikFingerprint,
	traefikNetwork,
	writeTraefikApplied,
	writeTraefikFiles,
	type TraefikFilesSnapshot,
} from './static-files.js';
import path from 'node:path';
import {liveReservations} from '../registry/reservations.js';
import {warn} from '../warnings.js';
import {missingImage, waitListening} from './health.js';
import {loadConfig} from '../git/config.js';

export type TraefikState = {state: 'running' | 'stopped'} | {state: 'unavailable'; reason: string};

/** Logical ports something registered still routes: host services and compose projects. */
export function portsInUse(registry: Registry): number[] {
	const claimed = liveReservations(registry).flatMap(r => (r.logicalPort === undefined ? [] : [r.logicalPort]));
	return [...new Set([...registry.hostServices.map(s => s.logicalPort), ...registry.projects.flatMap(p => p.ports), ...claimed])];
}

/** Logical ports of registered projects whose `.port/config.jsonc` says `"lan": true`. */
function lanPortsInUse(registry: Registry): number[] {
	const lan = new Map<string, boolean>();
	const isLan = (repo: string | undefined) => {
		if (repo === undefined) return false;
		if (!lan.has(repo)) {
			try {
				lan.set(repo, loadConfig(repo).config.lan);
			} catch {
				lan.set(repo, false); // a broken config never widens exposure
			}
		}
		return lan.get(repo)!;
	};
	return [
		...registry.hostServices.filter(s => isLan(s.repo)).map(s => s.logicalPort),
		...registry.projects.filter(p => isLan(p.repo)).flatMap(p => p.ports),
		...liveReservations(registry).flatMap(r => (r.logicalPort !== undefined && isLan(r.repo) ? [r.logicalPort] : [])),
	];
}

/** Nothing registered and no `port run` still starting: Traefik may be stopped. */
const unused = (registry: Registry) => registry.projects.length === 0 && registry.hostServices.length === 0 && liveReservations(registry).length === 0;

export async function traefikState(signal?: AbortSignal): Promise<TraefikState> {
	try {
		const state = await containerState(traefikContainer, signal);
		return {state: state === 'running' ? 'running' : 'stopped'};
	} catch (error) {
		return {state: 'unavailable', reason: error instanceof PortError ? error.message : String(error)};
	}
}

const composeArgs = () => ['compose', '-p', traefikComposeProject, '-f', traefikComposeFile()];

/** Serialises the docker part across processes: concurrent `compose up` of one project conflict. */
async function withTraefikLock<T>(fn: () => Promise<T>): Promise<T> {
	ensureTraefikDirs();
	const {default: lockfile} = await import('proper-lockfile');
	const release = await lockfile.lock(traefikDir(), {
		lockfilePath: path.join(portHome(), 'traefik.lock'),
		realpath: false,
		stale: 30_000,
		retries: {retries: 400, factor: 1.1, minTimeout: 20, maxTimeout: 250, randomize: true},
		onCompromised: () => {},
	});
	try {
		return await fn();
	} finally {
		await release().catch(() => {});
	}
}

/**
 * Traefik's container as one `docker inspect` sees it: state, and the host ports it listens on
 * while running (published ports; with host networking, the entrypoints it was started with).
 */
async function inspectTraefik(signal?: AbortSignal): Promise<{state: TraefikState; published: number[] | undefined}> {
	try {
		const result = await docker(['inspect', '--type', 'container', '--format', '{{.State.Running}} {{.HostConfig.NetworkMode}} {{json .HostConfig.PortBindings}}', traefikContainer], {cancelSignal: signal});
		if (result.exitCode !== 0) {
			if (/no such (object|container)/i.test(result.stderr)) return {state: {state: 'stopped'}, published: []};
			throw explainFailure(result, `docker inspect ${traefikContainer}`);
		}
		const [running, networkMode, ...rest] = result.stdout.trim().split(' ');
		if (running !== 'true') return {state: {state: 'stopped'}, published: []};
		if (networkMode === 'host') return {state: {state: 'running'}, published: readTraefikApplied()?.ports};
		return {state: {state: 'running'}, published: publishedPorts(rest.join(' '))};
	} catch (error) {
		return {state: {state: 'unavailable', reason: error instanceof PortError ? error.message : String(error)}, published: undefined};
	}
}

/** Host ports out of `{{json .HostConfig.PortBindings}}`; undefined when the output is not that. */
function publishedPorts(json: string): number[] | undefined {
	try {
		const bindings = JSON.parse(json) as Record<string, Array<{HostPort?: string}> | null> | null;
		if (typeof bindings !== 'object') return undefined;
		return Object.values(bindings ?? {}).flatMap(list => (list ?? []).map(b => Number(b.HostPort)).filter(p => Number.isInteger(p) && p > 0));
	} catch {
		return undefined;
	}
}

/** Can Traefik's port publishing bind `port` on the host? Checked on 0.0.0.0 and ::, like get-port. */
async function hostPortFree(port: number): Promise<boolean> {
	// Tests only (a fake docker, no real Traefik): probe just the listed ports, count the rest as
	// free, so a developer's own servers on :3000 or :5432 do not change what the tests see.
	const probed = process.env['PORT_TEST_PROBED_PORTS'];
	if (probed !== undefined && !probed.split(',').includes(String(port))) return true;
	return !(await heldElsewhere(port, '0.0.0.0')) && !(await heldElsewhere(port, '::'));
}

/** Of `ports`, those Traefik does not publish yet and another program holds on the host. */
async function blockedPorts(ports: number[], published: number[]): Promise<number[]> {
	const fresh = [...new Set(ports)].filter(port => !published.includes(port)).sort((a, b) => a - b);
	const free = await Promise.all(fresh.map(hostPortFree));
	return fresh.filter((_, i) => !free[i]);
}

const portList = (ports: number[]) => ports.map(p => `:${p}`).join(', ');
const inUseLine = (ports: number[]) =>
	ports.length === 1 ? `port ${ports[0]} is in use on this host by another program; Traefik cannot listen there.` : `ports ${ports.join(', ')} are in use on this host by other programs; Traefik cannot listen there.`;

/** The warning for a logical port another program holds (`port run` carries on without routing). */
export const portInUseReason = (ports: number[]) => `${inUseLine(ports)} Routing for ${portList(ports)} is off; stop that program or use another logical port.`;

/**
 * `port up`'s check before it writes anything: ports Traefik would have to add but cannot
 * bind, as a conflict (exit 4). Docker problems are left to the steps that follow.
 */
export async function assertTraefikCanPublish(ports: number[], signal?: AbortSignal): Promise<void> {
	const {state, published} = await inspectTraefik(signal);
	throwIfAborted(signal);
	if (state.state === 'unavailable') return;
	const blocked = await blockedPorts(ports, published ?? readTraefikApplied()?.ports ?? []);
	if (blocked.length > 0) throw new PortError(inUseLine(blocked), ExitCode.conflict, `Stop that program, or publish another port in the compose file.`);
}

/**
 * Makes sure traefik.yml has an entrypoint for every port in `required` (plus every port still
 * in use; none is ever dropped while Traefik runs) and that Traefik is running. The files are
 * written even when Docker is unavailable, so routing starts working once Traefik runs.
 * A required port another program holds is refused before anything is touched; a failed
 * recreate puts the previous files and Traefik back. Returns the state reached; never throws
 * for Docker problems. An aborted `signal` stops the docker call under way and throws `interrupted()`.
 * `lan`: the caller's project opted into exposure beyond loopback for `required`.
 */
export async function ensureTraefik(
	required: number[],
	onProgress?: (message: string) => void,
	known?: Promise<TraefikState>,
	{signal, lan = false}: {signal?: AbortSignal; lan?: boolean} = {},
): Promise<TraefikState> {
	// `known`: a traefikState() the caller started earlier, overlapping other work (port run).
	const before = await (known ?? traefikState(signal));
	throwIfAborted(signal);
	const lanWanted = (registry: Registry) => [...lanPortsInUse(registry), ...(lan ? required : [])];
	// Quick path: what Traefik last ran with (applied.json), not what traefik.yml asks for.
	if (before.state === 'running') {
		const applied = readTraefikApplied();
		const current = applied?.fingerprint === traefikFingerprint();
		if (current && required.every(port => applied?.ports.includes(port) && applied.lan.includes(port) === lan)) return before;
	}
	if (before.state === 'unavailable') {
		await updateRegistryAsync(registry => {
			writeTraefikFiles([...currentEntrypointPorts(), ...portsInUse(registry), ...required], lanWanted(registry));
		});
		return before;
	}
	return withTraefikLock(async () => {
		throwIfAborted(signal);
		const {state, published: inspected} = await inspectTraefik(signal);
		throwIfAborted(signal);
		if (state.state === 'unavailable') return state;
		const applied = readTraefikApplied();
		const published = state.state === 'running' ? (inspected ?? applied?.ports ?? []) : [];
		const keep = () => (state.state === 'running' ? currentEntrypointPorts() : []);
		// Ports another program holds: a required one is refused with nothing touched; one only
		// kept from the registry is left out, so it cannot take routing down for every other port.
		const blocked = await blockedPorts([...keep(), ...portsInUse(readRegistry()), ...required], published);
		const blockedRequired = blocked.filter(port => required.includes(port));
		if (blockedRequired.length > 0) return {state: 'unavailable', reason: portInUseReason(blockedRequired)};
		const previous = snapshotTraefikFiles();
		let wanted: number[] = [];
		await updateRegistryAsync(registry => {
			wanted = [...keep(), ...portsInUse(registry), ...required].filter(port => !blocked.includes(port));
			writeTraefikFiles(wanted, lanWanted(registry));
		});
		const next = snapshotTraefikFiles();
		if (state.state === 'running' && applied?.hash === traefikFilesHash(next)) return state;
		const adding = required.filter(port => !published.includes(port));
		onProgress?.(
			state.state === 'running'
				? `${adding.length > 0 ? `adding entrypoint(s) ${portList(adding)} to Traefik` : 'applying the Traefik configuration'} (recreating ${traefikContainer})`
				: `starting Traefik (${traefikContainer}; the first start pulls its image)`,
		);
		const failure = await composeUp(next, signal);
		if (failure === undefined) return {state: 'running'};
		// One bad port must not take routing down for everyone: put back what ran before.
		let restored = '';
		if (previous.static !== next.static || previous.compose !== next.compose) {
			// Interrupted: no second slow recreate; the next start reconciles (applied.json is unchanged).
			throwIfAborted(signal);
			try {
				restoreTraefikFiles(previous);
				if (state.state === 'running') restored = (await composeUp(previous)) === undefined ? ' The previous Traefik configuration is running again.' : '';
			} catch {
				// best effort: the failure below is what the user needs to see
			}
		}
		throwIfAborted(signal);
		return {state: 'unavailable', reason: failure + restored};
	});
}

/** `docker compose up` of Traefik with the files of `snapshot`; records them as applied. Returns the failure, if any. */
async function composeUp(snapshot: TraefikFilesSnapshot, signal?: AbortSignal): Promise<string | undefined> {
	try {
		await ensureNetwork(traefikNetwork, signal);
		const up = await docker([...composeArgs(), 'up', '-d', '--remove-orphans'], {cwd: traefikDir(), cancelSignal: signal});
		if (up.exitCode !== 0) return (await missingImage()) ?? explainFailure(up, 'Starting Traefik (docker compose up)').message;
		const exited = await waitListening(entrypointPortsOf(snapshot.static ?? ''));
		if (exited !== undefined) return exited;
	} catch (error) {
		return error instanceof PortError ? error.message : String(error);
	}
	try {
		writeTraefikApplied(snapshot);
	} catch {
		// Without the record the next `port run` takes the locked path once more: harmless.
	}
	return undefined;
}

/** Stops Traefik once no compose project and no host service needs it. Returns true if stopped. */
export async function stopTraefikIfUnused(): Promise<boolean> {
	if (!unused(readRegistry())) return false;
	return withTraefikLock(async () => {
		if (!unused(readRegistry())) return false;
		const state = await containerState(traefikContainer).catch(() => undefined);
		// No container: nothing to take down (nor a need for Compose, which may not be installed).
		if (state !== 'running' && state !== 'stopped') return false;
		const down = await docker([...composeArgs(), 'down', '--remove-orphans'], {cwd: traefikDir()});
		if (down.exitCode !== 0) throw explainFailure(down, 'Stopping Traefik (docker compose down)');
		clearTraefikApplied();
		return true;
	});
}

/** stopTraefikIfUnused at the end of a command whose own work is done: a failure is a warning, not the command's. */
export async function stopTraefikIfUnusedOrWarn(): Promise<boolean> {
	try {
		return await stopTraefikIfUnused();
	} catch (error) {
		warn(`could not stop Traefik: ${(error as Error).message}`);
		return false;
	}
}
