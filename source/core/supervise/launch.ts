import {randomBytes} from 'node:crypto';
import {ExitCode, PortError} from '../errors.js';
import {logFileFor} from '../logs/capped-log.js';
import {hostRouteName, hostnameFor} from '../names.js';
import type {HostService} from '../registry/registry.js';
import {ensureTraefik, traefikState, type TraefikState} from '../traefik/container.js';
import {removeRoute, writeRoute} from '../traefik/routes.js';
import {claimPort, releaseClaim} from './claim.js';
import {SupervisedService, type LaunchRequest} from './supervisor.js';

export type {LaunchRequest} from './supervisor.js';

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
	const worktree = project.worktree;
	const hostname = hostnameFor(worktree, project.config.domain);
	// Ask Docker for Traefik's state now: the `docker inspect` runs while the port is claimed
	// (bench/readiness.mjs: ~20 ms less before the child starts).
	const knownTraefik = traefikState(request.signal);
	knownTraefik.catch(() => {});
	const actualPort = await claimPort({repo, worktree, hostname, logicalPort, owner: request.owner, sharedSupervisor: request.sharedSupervisor});
	let traefik: TraefikState;
	let configFile: string;
	const routeName = hostRouteName(repo, worktree, logicalPort);
	try {
		traefik = await ensureTraefik([logicalPort], request.onProgress, knownTraefik, {signal: request.signal, lan: project.config.lan});
		configFile = writeRoute({name: routeName, hostname, logicalPort, actualPort});
	} catch (error) {
		await releaseClaim(actualPort);
		throw error;
	}
	const id = `${routeName}-${randomBytes(3).toString('hex')}`;
	if (request.signal?.aborted) {
		await releaseClaim(actualPort);
		removeRoute(configFile);
		throw new PortError('Interrupted before the command started.', ExitCode.failure);
	}
	const supervised = new SupervisedService(request, {
		id,
		repo,
		branch: worktree,
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
		await releaseClaim(actualPort);
		removeRoute(configFile);
		throw error;
	}
	return {service: supervised.entry ?? supervised.pendingEntry(), traefik, supervised};
}
