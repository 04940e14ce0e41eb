// Linux: /proc, no child process. The start time is field 22 of /proc/<pid>/stat, in clock
// ticks since boot: exact, and independent of TZ, locale and wall-clock changes.
import {readFileSync, readdirSync} from 'node:fs';
import {validPids, type ProcessFact, type ProcessFacts} from './types.js';

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

// Z: zombie; X: dead (seen only for an instant).
const exited = (state: string) => state === 'Z' || state === 'X';

export function processFacts(pids: Iterable<number>): ProcessFacts {
	const facts = new Map<number, ProcessFact>();
	for (const pid of validPids(pids)) {
		const stat = procStat(pid);
		if (stat) facts.set(pid, {startTime: stat.startTime, zombie: exited(stat.state)});
	}
	return facts;
}

/** Live (non-zombie) members of a process group: a zombie whose parent never reaps it (PID 1 in some containers) must not count. */
export function groupAlive(pgid: number): boolean {
	for (const entry of readdirSync('/proc')) {
		if (entry.charCodeAt(0) > 57) continue;
		const stat = procStat(Number(entry));
		if (stat && stat.pgrp === pgid && !exited(stat.state)) return true;
	}
	return false;
}
