import {ExitCode, PortError} from '../errors.js';
import {liveReservations, parseServiceKey} from '../registry/reservations.js';
import {readRegistry, updateRegistryAsync, type HostService, type Reservation} from '../registry/registry.js';
import {findHostService} from './conflicts.js';
import {legacyRefusal, stopLegacyProcess} from './legacy-process.js';
import {groupAlive, isAlive, signalGroup, signalProcess, stopGroup, stopGraceMs} from './process-info.js';
import {childAlive, removeHostService, supervisorAlive} from './stale.js';
import {sleep} from '../sleep.js';

// Stopping, killing and restarting a registered service from any process, by signals checked
// against each process's start time (a reused pid is never signalled).

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
 * Stops a registered service wherever it runs. A `port run` of this one service is asked to stop
 * (SIGTERM to it, identity-checked): it stops its child's whole group, cleans up and exits 143,
 * and a restart it has under way cannot bring the child back. Otherwise (a dashboard's service,
 * one of several a `port run` supervises (`sharedSupervisor`), or an orphan) the
 * child's group gets SIGTERM, then SIGKILL after the grace period; if its live supervisor
 * re-spawned it meanwhile (restart), the new child is stopped too. Whatever the supervisor does
 * not clean up within a few seconds, we remove ourselves.
 */
export async function stopHostService(service: HostService, graceMs = stopGraceMs()): Promise<void> {
	if (service.legacy) {
		// An older port's entry: signalled only when its command line proves it (legacy-process.ts).
		if (childAlive(service) && !(await stopLegacyProcess(service, graceMs))) throw new PortError(legacyRefusal(service), ExitCode.failure);
		await removeHostService(service.id);
		return;
	}
	if (service.owner === 'run' && !service.sharedSupervisor && signalProcess(service.supervisorPid, service.supervisorStartTime, 'SIGTERM')) {
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
	if (current(service.id)) await removeHostService(service.id);
}

/**
 * Stops a service another process is still setting up. A `port run` is asked to stop (SIGTERM:
 * it gives its claim back, or stops the child it has just started); a dashboard (or a `port run`
 * starting several services) is waited for
 * until it has started the service, which is then stopped like any other. Resolves once
 * neither the claim nor a service of that process is left; throws (exit 4) if it stays.
 */
export async function stopStartingService(claim: Reservation, graceMs = stopGraceMs()): Promise<void> {
	const {repo, branch, logicalPort} = parseServiceKey(claim.key ?? '');
	// A `port run` starting several services would stop them all: wait for it like for a dashboard.
	const asked = claim.owner !== 'ui' && !claim.sharedSupervisor && signalProcess(claim.pid, claim.startTime, 'SIGTERM');
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
 * streaming; the entry keeps its id, route and actual port. A `port run` of several services
 * learns which one from `restartRequested` in the entry (a bare SIGUSR2 restarts them all).
 */
export async function requestRestart(service: HostService): Promise<boolean> {
	if (service.owner !== 'run' || !isAlive(service.supervisorPid, service.supervisorStartTime)) return false;
	if (service.sharedSupervisor) {
		const marked = await updateRegistryAsync(registry => {
			const entry = registry.hostServices.find(s => s.id === service.id);
			if (entry) entry.restartRequested = true;
			return entry !== undefined;
		});
		if (!marked) return false;
	}
	return signalProcess(service.supervisorPid, service.supervisorStartTime, 'SIGUSR2');
}

/** For a `port run` of several services: the ids asked to restart (their marks cleared). */
export async function takeRestartRequests(): Promise<Set<string>> {
	const ids = new Set<string>();
	await updateRegistryAsync(registry => {
		for (const s of registry.hostServices) {
			if (s.supervisorPid !== process.pid || !s.restartRequested) continue;
			ids.add(s.id);
			delete s.restartRequested;
		}
	});
	return ids;
}
