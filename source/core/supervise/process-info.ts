import {groupAlive, processFacts, type ProcessFacts} from './process/index.js';
import {sleep} from '../sleep.js';

export {groupAlive, processFacts, type ProcessFacts};

/**
 * An identity for "this pid, this incarnation": the start time (clock ticks since boot on Linux,
 * epoch seconds from ps elsewhere). Undefined when the process does not exist or is a zombie,
 * unless `ofOwnChild`: our own child that already exited stays a zombie until we reap it, so its
 * pid cannot be reused yet and its identity is still worth recording.
 */
export function processStartTime(pid: number, ofOwnChild = false): string | undefined {
	const fact = processFacts([pid]).get(pid);
	return fact && (ofOwnChild || !fact.zombie) ? fact.startTime : undefined;
}

/**
 * Alive means: the pid exists, is not a zombie, and started when we recorded it. Pass `facts`
 * from one processFacts() call when checking many pids (one `ps` on macOS instead of one each).
 */
export function isAlive(pid: number, startTime: string, facts: ProcessFacts = processFacts([pid])): boolean {
	const fact = facts.get(pid);
	return pid > 0 && fact !== undefined && !fact.zombie && fact.startTime === startTime;
}

/**
 * Sends a signal to the child's whole process group, but only when that group is provably
 * ours: the leader is the same incarnation we recorded (a zombie too: its start time still
 * says which; a reused pid that is now a zombie leading another group is not ours), or the
 * leader is gone and its group lives on (Linux never reuses a pid while a group with that id
 * exists). Never pid <= 0.
 */
export function signalGroup(pid: number, startTime: string, signal: NodeJS.Signals): boolean {
	if (!Number.isInteger(pid) || pid <= 0) return false;
	const leader = processFacts([pid]).get(pid);
	if (leader !== undefined && leader.startTime !== startTime) return false;
	try {
		process.kill(-pid, signal);
		return true;
	} catch {
		return false;
	}
}

/** Signals one process after checking its identity; used for supervisors (SIGUSR2 restart). */
export function signalProcess(pid: number, startTime: string, signal: NodeJS.Signals): boolean {
	if (!isAlive(pid, startTime)) return false;
	try {
		process.kill(pid, signal);
		return true;
	} catch {
		return false;
	}
}

/** SIGTERM the group, wait up to `graceMs`, then SIGKILL; resolves once nothing of it is left. */
export async function stopGroup(pid: number, startTime: string, graceMs = stopGraceMs()): Promise<'stopped' | 'killed' | 'gone'> {
	if (!signalGroup(pid, startTime, 'SIGTERM')) return 'gone';
	const deadline = Date.now() + graceMs;
	while (Date.now() < deadline) {
		if (!groupAlive(pid)) return 'stopped';
		await sleep(25);
	}
	signalGroup(pid, startTime, 'SIGKILL');
	const killDeadline = Date.now() + 2000;
	while (groupAlive(pid) && Date.now() < killDeadline) await sleep(25);
	return 'killed';
}

/** Grace period between SIGTERM and SIGKILL; PORT_STOP_TIMEOUT (ms) overrides the 5 s default. */
export function stopGraceMs(): number {
	const fromEnv = Number(process.env['PORT_STOP_TIMEOUT']);
	return Number.isFinite(fromEnv) && fromEnv >= 0 ? fromEnv : 5000;
}
