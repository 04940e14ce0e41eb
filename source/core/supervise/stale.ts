import {isAlive, processFacts, signalGroup, type ProcessFacts} from './process-info.js';
import {readRegistry, updateRegistry, updateRegistryAsync, type HostService, type Registry} from '../registry/registry.js';
import {hostRouteName} from '../names.js';
import {liveReservations, parseServiceKey} from '../registry/reservations.js';
import {removeLog} from '../logs/capped-log.js';
import path from 'node:path';
import {listRouteFiles, removeRoute} from '../traefik/route-files.js';
import {FileSystemError} from '../errors.js';
import {warn} from '../warnings.js';

/** Facts about every pid the registry names, in one pass: give them to the checks below. */
export const registryFacts = (registry: Registry): ProcessFacts =>
	processFacts([...registry.hostServices.flatMap(s => [s.pid, s.supervisorPid]), ...registry.reservations.map(r => r.pid)]);

/** An entry from an older port has no start time: its child counts as alive while its pid exists (zombies do not count). */
export const childAlive = (s: HostService, facts: ProcessFacts = processFacts([s.pid])) => {
	if (!s.legacy) return isAlive(s.pid, s.pidStartTime, facts);
	const fact = facts.get(s.pid);
	return s.pid > 0 && fact !== undefined && !fact.zombie;
};
export const supervisorAlive = (s: HostService, facts?: ProcessFacts) => !s.legacy && isAlive(s.supervisorPid, s.supervisorStartTime, facts);

/**
 * Dead means: the child is gone AND nobody supervises it any more. A live supervisor with a
 * dead child is mid-restart or about to clean up itself; a live child whose supervisor was
 * SIGKILLed is still serving and stays listed (as orphaned) until it ends or `port kill`.
 */
export const isStale = (s: HostService, facts: ProcessFacts = processFacts([s.pid, s.supervisorPid])) => !childAlive(s, facts) && !supervisorAlive(s, facts);

/**
 * The route file is named by repo + worktree + logical port, so a replacement run of the same
 * service shares it: it may be removed only when no other entry uses it and no claim in progress
 * (a `port run` that wrote it and is about to register) is about to. Call under the lock.
 */
export function routeStillWanted(registry: Registry, service: Pick<HostService, 'id' | 'configFile' | 'routeName'>, facts?: ProcessFacts): boolean {
	return (
		registry.hostServices.some(s => s.id !== service.id && s.configFile === service.configFile) ||
		liveReservations(registry, facts).some(r => {
			if (r.key === undefined) return false;
			const {repo, branch, logicalPort} = parseServiceKey(r.key);
			return hostRouteName(repo, branch, logicalPort) === service.routeName;
		})
	);
}

/**
 * Host route files that nothing registered or being set up refers to: left by a `port run`
 * SIGKILLed after writing its route and before registering (its claim died with it).
 */
function sweepUnclaimedRoutes(registry: Registry, facts: ProcessFacts): void {
	for (const file of listRouteFiles()) {
		const routeName = path.basename(file, '.yml');
		if (!routeName.startsWith('host-')) continue;
		if (!routeStillWanted(registry, {id: '', configFile: file, routeName}, facts)) removeRoute(file);
	}
}

/**
 * Removes exactly the registry entry (by id), its route file (unless still wanted) and its log.
 * Called by the stopping side (`port kill`, the dashboard), so the lock wait is async.
 */
export async function removeHostService(id: string): Promise<HostService | undefined> {
	let removed: HostService | undefined;
	await updateRegistryAsync(registry => {
		removed = registry.hostServices.find(s => s.id === id);
		registry.hostServices = registry.hostServices.filter(s => s.id !== id);
		if (removed && !routeStillWanted(registry, removed)) removeRoute(removed.configFile);
	});
	if (removed) removeLog(removed.logFile);
	return removed;
}

/**
 * Runs at the start of every command. Lock-free when nothing is stale (the common case);
 * otherwise re-checks under the lock and removes exactly the entries still stale, matched by
 * id, so a fresh registration for the same repo/worktree/port survives.
 */
export function cleanupStale(): HostService[] {
	const snapshot = readRegistry();
	const seen = registryFacts(snapshot);
	const staleReservations = snapshot.reservations.some(r => !isAlive(r.pid, r.startTime, seen));
	if (!snapshot.hostServices.some(s => isStale(s, seen)) && !staleReservations) return [];
	const removed: HostService[] = [];
	try {
		updateRegistry(registry => {
			// The registry may have changed since the snapshot: one fresh pass under the lock.
			const facts = registryFacts(registry);
			registry.reservations = liveReservations(registry, facts);
			registry.hostServices = registry.hostServices.filter(service => {
				if (!isStale(service, facts)) return true;
				removed.push(service);
				return false;
			});
			for (const service of removed) if (!routeStillWanted(registry, service, facts)) removeRoute(service.configFile);
			// Only a dead claim can leave a route file with no entry; look only then.
			if (staleReservations) sweepUnclaimedRoutes(registry, facts);
		});
	} catch (error) {
		// A full or read-only disk must not stop a command that only reads (port list): the
		// stale entries stay in the file (nothing is lost) and go on the next successful run.
		if (!(error instanceof FileSystemError)) throw error;
		warn(`stale entries were not cleaned up: ${error.message}`);
		return [];
	}
	for (const service of removed) {
		// Grandchildren of a SIGKILLed supervisor may outlive the leader and hold the port; the
		// group is provably ours while it exists (Linux never reuses a live group's id). An older
		// port's entry names no group we can prove ours: it is never signalled.
		if (!service.legacy) signalGroup(service.pid, service.pidStartTime, 'SIGTERM');
		removeLog(service.logFile);
	}
	return removed;
}
