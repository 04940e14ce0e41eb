import {PortError} from '../errors.js';
import {freePortCandidate, takenPorts} from '../registry/ports.js';
import {liveReservations, releaseReservation, serviceKey} from '../registry/reservations.js';
import {newReservation, readRegistry, updateRegistryAsync, type HostService} from '../registry/registry.js';
import {alreadyRunningError, composeOwnsPort, composeOwnsPortError, findHostService, routeOwner, routeTakenError} from './conflicts.js';
import {processStartTime} from './process-info.js';
import {registryFacts} from './stale.js';

export interface ClaimRequest {
	repo: string;
	worktree: string;
	hostname: string;
	logicalPort: number;
	owner: HostService['owner'];
	sharedSupervisor?: boolean;
}

/**
 * Claims a service and a free actual port for it: the conflict checks and the reservation happen
 * atomically under the registry lock, so two concurrent `port run`s never share a service or a
 * port. The reservation lives as long as this process (or until released / registered).
 */
export async function claimPort({repo, worktree, hostname, logicalPort, owner, sharedSupervisor}: ClaimRequest): Promise<number> {
	const self = processStartTime(process.pid) ?? '';
	const key = serviceKey(repo, worktree, logicalPort);
	for (let attempt = 0; attempt < 50; attempt++) {
		const candidate = await freePortCandidate(takenPorts(readRegistry()));
		const claimed = await updateRegistryAsync(registry => {
			// One pass over every pid for all the checks under the lock (one ps on macOS).
			const facts = registryFacts(registry);
			registry.reservations = liveReservations(registry, facts);
			const otherRepo = routeOwner(registry, hostname, logicalPort, repo, facts);
			if (otherRepo) throw routeTakenError(hostname, logicalPort, otherRepo);
			if (composeOwnsPort(registry, repo, worktree, logicalPort)) throw composeOwnsPortError(hostname, logicalPort);
			if (findHostService(registry, repo, worktree, logicalPort, facts) || registry.reservations.some(r => r.key === key && r.pid !== process.pid)) {
				throw alreadyRunningError(`${worktree}:${logicalPort}`);
			}
			if (takenPorts(registry, facts).has(candidate)) return false;
			registry.reservations.push(newReservation({port: candidate, pid: process.pid, startTime: self, key, repo, hostname, logicalPort, owner, ...(sharedSupervisor ? {sharedSupervisor: true as const} : {})}));
			return true;
		});
		if (claimed) return candidate;
	}
	throw new PortError('No free port could be reserved after 50 attempts.');
}

/** Gives this process's claim of `actualPort` back (the launch failed or was interrupted). */
export const releaseClaim = (actualPort: number) => updateRegistryAsync(registry => releaseReservation(registry, actualPort));
