import lockfile from 'proper-lockfile';
import {containerState, docker, ensureNetwork, explainFailure} from './docker.js';
import {PortError} from './errors.js';
import {portHome, traefikComposeFile, traefikDir} from './paths.js';
import {readRegistry, updateRegistry, type Registry} from './registry.js';
import {
	currentEntrypointPorts,
	ensureTraefikDirs,
	traefikComposeProject,
	traefikContainer,
	traefikNetwork,
	writeTraefikFiles,
} from './traefik-files.js';
import path from 'node:path';
import {liveReservations} from './reservations.js';

export type TraefikState = {state: 'running' | 'stopped'} | {state: 'unavailable'; reason: string};

/** Logical ports something registered still routes: host services and compose projects. */
export function portsInUse(registry: Registry): number[] {
	const claimed = liveReservations(registry).flatMap(r => (r.logicalPort === undefined ? [] : [r.logicalPort]));
	return [...new Set([...registry.hostServices.map(s => s.logicalPort), ...registry.projects.flatMap(p => p.ports), ...claimed])];
}

/** Nothing registered and no `port run` still starting: Traefik may be stopped. */
const unused = (registry: Registry) => registry.projects.length === 0 && registry.hostServices.length === 0 && liveReservations(registry).length === 0;

export async function traefikState(): Promise<TraefikState> {
	try {
		const state = await containerState(traefikContainer);
		return {state: state === 'running' ? 'running' : 'stopped'};
	} catch (error) {
		return {state: 'unavailable', reason: error instanceof PortError ? error.message : String(error)};
	}
}

const composeArgs = () => ['compose', '-p', traefikComposeProject, '-f', traefikComposeFile()];

/** Serialises the docker part across processes: concurrent `compose up` of one project conflict. */
async function withTraefikLock<T>(fn: () => Promise<T>): Promise<T> {
	ensureTraefikDirs();
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
 * Makes sure traefik.yml has an entrypoint for every port in `required` (plus every port still
 * in use; none is ever dropped while Traefik runs) and that Traefik is running. The files are
 * written even when Docker is unavailable, so routing starts working once Traefik runs.
 * Returns the state reached; never throws for Docker problems.
 */
export async function ensureTraefik(required: number[], onProgress?: (message: string) => void, known?: Promise<TraefikState>): Promise<TraefikState> {
	// `known`: a traefikState() the caller started earlier, overlapping other work (port run).
	const before = await (known ?? traefikState());
	const existing = currentEntrypointPorts();
	if (before.state === 'running' && required.every(port => existing.includes(port))) return before;
	if (before.state === 'unavailable') {
		updateRegistry(registry => {
			writeTraefikFiles([...currentEntrypointPorts(), ...portsInUse(registry), ...required]);
		});
		return before;
	}
	return withTraefikLock(async () => {
		const state = await traefikState();
		if (state.state === 'unavailable') return state;
		const changed = updateRegistry(registry => {
			const keep = state.state === 'running' ? currentEntrypointPorts() : [];
			return writeTraefikFiles([...keep, ...portsInUse(registry), ...required]);
		});
		if (state.state === 'running' && !changed) return state;
		onProgress?.(state.state === 'running' ? `adding entrypoint(s) ${required.map(p => `:${p}`).join(', ')} to Traefik (recreating ${traefikContainer})` : `starting Traefik (${traefikContainer}; the first start pulls its image)`);
		try {
			await ensureNetwork(traefikNetwork);
			const up = await docker([...composeArgs(), 'up', '-d', '--remove-orphans'], {cwd: traefikDir()});
			if (up.exitCode !== 0) throw explainFailure(up, 'Starting Traefik (docker compose up)');
		} catch (error) {
			return {state: 'unavailable', reason: error instanceof PortError ? error.message : String(error)};
		}
		return {state: 'running'};
	});
}

/** Stops Traefik once no compose project and no host service needs it. Returns true if stopped. */
export async function stopTraefikIfUnused(): Promise<boolean> {
	if (!unused(readRegistry())) return false;
	return withTraefikLock(async () => {
		if (!unused(readRegistry())) return false;
		const state = await traefikState();
		if (state.state !== 'running' && state.state !== 'stopped') return false;
		const down = await docker([...composeArgs(), 'down', '--remove-orphans'], {cwd: traefikDir()});
		if (down.exitCode !== 0) throw explainFailure(down, 'Stopping Traefik (docker compose down)');
		return true;
	});
}
