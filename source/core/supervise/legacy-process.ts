import {readFileSync} from 'node:fs';
import {lazyRequire} from '../lazy.js';
import {processStartTime, signalProcess, stopGraceMs, stopGroup} from './process-info.js';
import type {HostService} from '../registry/schema.js';
import {sleep} from '../sleep.js';

/**
 * Entries from an older port (registry-legacy.ts) carry no start time, so a live pid may be
 * any program that got the number since. Such a process is signalled only when its command
 * line is exactly the command recorded in the entry; the old shape records none, so in
 * practice it is never signalled and `port kill` says so.
 */

/** argv of a live process: /proc/<pid>/cmdline on Linux; elsewhere `ps` gives one joined string. */
export function commandLineOf(pid: number): string[] | undefined {
	try {
		const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
		return raw === '' ? undefined : raw.replace(/\0$/, '').split('\0');
	} catch {
		// No /proc (macOS) or the process is gone.
	}
	try {
		const {execFileSync} = lazyRequire('node:child_process') as typeof import('node:child_process');
		const out = execFileSync('ps', ['-o', 'command=', '-p', String(pid)], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim();
		return out === '' ? undefined : [out];
	} catch {
		return undefined;
	}
}

/** The pid still runs the recorded command (argv equal; one string compared where only `ps` is available). */
export function legacyCommandMatches(s: Pick<HostService, 'pid' | 'command'>): boolean {
	if (s.command.length === 0) return false;
	const argv = commandLineOf(s.pid);
	if (argv === undefined) return false;
	return argv.length === 1 && s.command.length > 1 ? argv[0] === s.command.join(' ') : argv.length === s.command.length && argv.every((a, i) => a === s.command[i]);
}

function processGroupOf(pid: number): number | undefined {
	try {
		const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[2]);
	} catch {
		return undefined;
	}
}

/**
 * Stops a verified legacy process: its whole group when it leads one, else the process alone
 * (SIGTERM, then SIGKILL after the grace period). The identity is pinned at verification time.
 * False when it is not (or no longer) verifiable: nothing was signalled.
 */
export async function stopLegacyProcess(s: Pick<HostService, 'pid' | 'command'>, graceMs = stopGraceMs()): Promise<boolean> {
	const startTime = processStartTime(s.pid);
	if (startTime === undefined || !legacyCommandMatches(s) || processStartTime(s.pid) !== startTime) return false;
	if (processGroupOf(s.pid) === s.pid) {
		await stopGroup(s.pid, startTime, graceMs);
		return true;
	}
	if (!signalProcess(s.pid, startTime, 'SIGTERM')) return true;
	const deadline = Date.now() + graceMs;
	while (processStartTime(s.pid) === startTime && Date.now() < deadline) await sleep(25);
	signalProcess(s.pid, startTime, 'SIGKILL');
	return true;
}

/** What `port kill` says instead of signalling an unverifiable process. */
export const legacyRefusal = (s: Pick<HostService, 'pid' | 'branch' | 'logicalPort' | 'command'>) =>
	`not stopping ${s.branch}:${s.logicalPort} (pid ${s.pid}): it was registered by an older port ${
		s.command.length === 0 ? 'without its command line' : 'and that pid no longer runs its command'
	}, so it may be another program now; stop it yourself (kill ${s.pid}) if it is yours`;
