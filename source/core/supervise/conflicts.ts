import {ExitCode, PortError} from '../errors.js';
import {hostnameFor} from '../names.js';
import {liveReservations, serviceKey} from '../registry/reservations.js';
import type {HostService, Registry, Reservation} from '../registry/registry.js';
import type {ProcessFacts} from './process-info.js';
import {isStale} from './stale.js';

// Who already has a service, a hostname or a port: the conflict policy of `port run`, the
// dashboard and `port up`. Pure reads of a registry snapshot (claim.ts applies them under the lock).

/** `<worktree>:<logical port>`, how messages name a host service. */
export const serviceLabel = (s: Pick<HostService, 'branch' | 'logicalPort'>) => `${s.branch}:${s.logicalPort}`;

const sameService = (s: HostService, repo: string, worktree: string, logicalPort: number) =>
	s.repo === repo && s.branch === worktree && s.logicalPort === logicalPort;

/** The live service for this repo + worktree + logical port, if any. */
export function findHostService(registry: Registry, repo: string, worktree: string, logicalPort: number, facts?: ProcessFacts): HostService | undefined {
	return registry.hostServices.find(s => sameService(s, repo, worktree, logicalPort) && !isStale(s, facts));
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

/** A live claim of this service by another process still setting it up (`port run` / `port ui`). */
export function startingClaim(registry: Registry, repo: string, worktree: string, logicalPort: number): Reservation | undefined {
	const key = serviceKey(repo, worktree, logicalPort);
	return liveReservations(registry).find(r => r.key === key && r.pid !== process.pid);
}

export const routeTakenError = (hostname: string, port: number, owner: string) =>
	new PortError(`${hostname}:${port} is already routed for another repository: ${owner}`, ExitCode.conflict, 'Stop it there, or use another domain in .port/config.jsonc.');

export const composeOwnsPortError = (hostname: string, logicalPort: number) =>
	new PortError(`${hostname}:${logicalPort} is already routed to this worktree's compose services (port up).`, ExitCode.conflict, 'Use another logical port, or `port down` first.');

export const alreadyRunningError = (label: string) =>
	new PortError(`Service already running for ${label}.`, ExitCode.conflict, 'Use --replace to replace it, or `port kill` to stop it.');
