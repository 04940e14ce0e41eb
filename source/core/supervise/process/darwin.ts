// macOS (and anything else without /proc): ps. Its `lstart` is local time in the locale's words,
// so the same process reads differently from shells with another TZ or LANG: ps runs with
// TZ=UTC and LC_ALL=C, and the time is stored as epoch seconds. One ps answers for every pid
// asked about (the dashboard asks every second). procps' ps on Linux takes the same options,
// which lets the tests run this file against real processes there.
import type {spawnSync as SpawnSync} from 'node:child_process';
import {ExitCode, PortError, errnoCode} from '../../errors.js';
import {lazyRequire} from '../../lazy.js';
import {validPids, type ProcessFact, type ProcessFacts} from './types.js';

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Sun Nov 29 15:21:39 2026` (C locale, UTC) -> epoch seconds; undefined if it is not that shape. */
export function parseLstart(text: string): number | undefined {
	const match = /^[A-Z][a-z]{2}\s+([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+(\d{4})$/.exec(text.trim());
	const month = match ? months.indexOf(match[1]!) : -1;
	if (!match || month < 0) return undefined;
	const [, , day, hours, minutes, seconds, year] = match.map(Number) as number[];
	return Date.UTC(year!, month, day, hours, minutes, seconds) / 1000;
}

/** Lines of `ps -o pid=,stat=,lstart=`. */
export function parsePs(output: string): Map<number, ProcessFact> {
	const facts = new Map<number, ProcessFact>();
	for (const line of output.split('\n')) {
		const match = /^\s*(\d+)\s+(\S+)\s+(\S.*?)\s*$/.exec(line);
		if (!match) continue;
		// An unexpected time format is still a stable identity (fixed TZ and locale), just not a number.
		const lstart = match[3]!.replace(/\s+/g, ' ');
		facts.set(Number(match[1]), {startTime: String(parseLstart(lstart) ?? lstart), zombie: match[2]!.startsWith('Z')});
	}
	return facts;
}

/** Runs ps with a fixed TZ and locale; '' when it matched no process (exit 1, nothing on stderr). */
export function ps(args: string[]): string {
	const {spawnSync} = lazyRequire('node:child_process') as {spawnSync: typeof SpawnSync};
	const result = spawnSync('ps', args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: {PATH: process.env['PATH'] ?? '/bin:/usr/bin', TZ: 'UTC', LC_ALL: 'C'}});
	// Guessing "dead" when ps cannot answer would delete live services' routes and entries.
	if (result.error) throw new PortError(`Cannot check processes: ps failed to start (${errnoCode(result.error) ?? result.error.message}).`, ExitCode.failure);
	if (result.status !== 0 && (result.status !== 1 || result.stderr.trim() !== '')) {
		throw new PortError(`Cannot check processes: ps ${args.join(' ')} exited ${result.status ?? result.signal}: ${result.stderr.trim()}`, ExitCode.failure);
	}
	return result.stdout;
}

export function processFacts(pids: Iterable<number>): ProcessFacts {
	const list = validPids(pids);
	if (list.length === 0) return new Map();
	return parsePs(ps(['-o', 'pid=,stat=,lstart=', '-p', list.join(',')]));
}

/** Live (non-zombie) members of a process group. */
export function groupAlive(pgid: number): boolean {
	try {
		process.kill(-pgid, 0);
	} catch (error) {
		if (errnoCode(error) !== 'EPERM') return false;
	}
	// The group exists; it is alive unless every member is a zombie.
	return ps(['-A', '-o', 'pgid=,stat='])
		.split('\n')
		.some(line => {
			const [group, stat = ''] = line.trim().split(/\s+/);
			return Number(group) === pgid && !stat.startsWith('Z');
		});
}
