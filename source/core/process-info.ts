import {readFileSync, readdirSync} from 'node:fs';
import {errnoCode} from './errors.js';
import {lazyRequire} from './lazy.js';

interface ProcStat {
	state: string;
	pgrp: number;
	startTime: string;
}

/** Fields of /proc/<pid>/stat after the command name (which may contain spaces and parens). */
function procStat(pid: number): ProcStat | undefined {
	try {
		const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
		// fields[0] is field 3 (state); pgrp is field 5; starttime is field 22.
		return {state: fields[0]!, pgrp: Number(fields[2]), startTime: fields[19]!};
	} catch {
		return undefined;
	}
}

const hasProc = (() => {
	try {
		readFileSync('/proc/self/stat');
		return true;
	} catch {
		return false;
	}
})();

/**
 * An identity for "this pid, this incarnation": the start time in clock ticks since boot on
 * Linux, `ps -o lstart` elsewhere. Undefined when the process does not exist or is a zombie,
 * unless `ofOwnChild`: our own child that already exited stays a zombie until we reap it, so its
 * pid cannot be reused yet and its identity is still worth recording.
 */
export function processStartTime(pid: number, ofOwnChild = false): string | undefined {
	if (!Number.isInteger(pid) || pid <= 0) return undefined;
	if (hasProc) {
		const stat = procStat(pid);
		return stat && (ofOwnChild || stat.state !== 'Z') ? stat.startTime : undefined;
	}
	try {
		const {execFileSync} = lazyRequire('node:child_process') as typeof import('node:child_process');
		const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim();
		return out === '' ? undefined : out;
	} catch {
		return undefined;
	}
}

/** Alive means: the pid exists, is not a zombie, and started when we recorded it. */
export function isAlive(pid: number, startTime: string): boolean {
	return pid > 0 && processStartTime(pid) === startTime;
}

/** Live (non-zombie) members of a process group. */
export function groupAlive(pgid: number): boolean {
	if (!Number.isInteger(pgid) || pgid <= 0) return false;
	if (hasProc) {
		// A zombie whose parent never reaps it (PID 1 in some containers) must not count as alive.
		for (const entry of readdirSync('/proc')) {
			if (entry.charCodeAt(0) > 57) continue;
			const stat = procStat(Number(entry));
			if (stat && stat.pgrp === pgid && stat.state !== 'Z') return true;
		}
		return false;
	}
	try {
		process.kill(-pgid, 0);
		return true;
	} catch (error) {
		return errnoCode(error) === 'EPERM';
	}
}

/**
 * Sends a signal to the child's whole process group, but only when that group is provably
 * ours: the leader is the same incarnation we recorded, or the leader is gone and its group
 * lives on (Linux never reuses a pid while a group with that id exists). Never pid <= 0.
 */
export function signalGroup(pid: number, startTime: string, signal: NodeJS.Signals): boolean {
	if (!Number.isInteger(pid) || pid <= 0) return false;
	const current = processStartTime(pid);
	if (current !== undefined && current !== startTime) return false;
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

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

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
