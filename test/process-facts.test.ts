// Process identity without /proc (macOS: ps). The ps code path also runs here on Linux for real:
// procps' ps takes the same `-o pid=,stat=,lstart=` options.
import {execFileSync, spawn} from 'node:child_process';
import {chmodSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import * as darwin from '../source/core/supervise/process/darwin.js';
import * as linux from '../source/core/supervise/process/linux.js';
import {finished, port, readRegistryFile, routeFiles, startPort} from './helpers/cli.js';
import {fakeDocker, makeRepo, onCleanup, repoDir, runCleanups, tempDir, waitFor} from './helpers/env.js';

afterEach(() => runCleanups());

const utc = (...args: [number, number, number, number, number, number]) => String(Date.UTC(...args) / 1000);

function sleeper(): number {
	const child = spawn('sleep', ['300'], {stdio: 'ignore', detached: true});
	onCleanup(() => child.kill('SIGKILL'));
	return child.pid!;
}

/** A zombie: `sleep 0` backgrounded by a shell that then execs `sleep`, which never reaps it. */
async function zombie(): Promise<number> {
	const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 300'], {stdio: ['ignore', 'pipe', 'ignore']});
	onCleanup(() => parent.kill('SIGKILL'));
	const pid = await new Promise<number>(resolve => parent.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
	await waitFor(() => linux.processFacts([pid]).get(pid)?.zombie, {what: 'the zombie'});
	return pid;
}

/** Runs `fn` with TZ and the locale of a shell set elsewhere. */
function inShell<T>(tz: string, locale: string, fn: () => T): T {
	const saved = {TZ: process.env['TZ'], LC_ALL: process.env['LC_ALL'], LANG: process.env['LANG']};
	Object.assign(process.env, {TZ: tz, LC_ALL: locale, LANG: locale});
	try {
		return fn();
	} finally {
		for (const [key, value] of Object.entries(saved)) {
			if (value === undefined) delete process.env[key];
			else process.env[key] = value;
		}
	}
}

describe('ps parser (macOS)', () => {
	it('reads recorded ps -o pid=,stat=,lstart= output (TZ=UTC, LC_ALL=C) as epoch seconds; zombies flagged; absent pids absent', () => {
		const facts = darwin.parsePs(readFileSync(path.join(repoDir, 'test', 'fixtures', 'ps-darwin.txt'), 'utf8'));
		expect([...facts.keys()]).toEqual([1, 312, 4711, 5120, 65000]);
		expect(facts.get(1)).toEqual({startTime: utc(2026, 10, 23, 8, 1, 12), zombie: false});
		expect(facts.get(312)).toEqual({startTime: utc(2026, 10, 29, 15, 21, 39), zombie: false});
		expect(facts.get(4711)).toEqual({startTime: utc(2026, 10, 29, 15, 21, 40), zombie: true});
		expect(facts.get(5120)).toEqual({startTime: utc(2026, 2, 3, 9, 5, 7), zombie: false});
		expect(facts.get(65000)).toEqual({startTime: utc(2025, 11, 31, 23, 59, 59), zombie: false});
		expect(facts.has(9999)).toBe(false);
	});

	it('keeps a time it cannot parse as text (still stable: ps runs with a fixed TZ and locale)', () => {
		expect(darwin.parseLstart('Sun Nov 29 15:21:39 2026')).toBe(Date.UTC(2026, 10, 29, 15, 21, 39) / 1000);
		expect(darwin.parseLstart('dim. 29 nov. 2026 15:21:39')).toBeUndefined();
		expect(darwin.parsePs('  42 S    2026-11-29  15:21:39\n').get(42)).toEqual({startTime: '2026-11-29 15:21:39', zombie: false});
	});
});

describe('ps code path against real processes', () => {
	it('gives the same start time from shells with different TZ and locale, in epoch seconds', () => {
		const before = Math.floor(Date.now() / 1000);
		const pid = sleeper();
		// What the old code stored differs between such shells (the bug this guards against).
		const lstart = (tz: string) => execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], {encoding: 'utf8', env: {...process.env, TZ: tz}}).trim();
		expect(lstart('America/Los_Angeles')).not.toBe(lstart('Asia/Tokyo'));
		const seen = [
			inShell('America/Los_Angeles', 'C', () => darwin.processFacts([pid])),
			inShell('Asia/Tokyo', 'de_DE.UTF-8', () => darwin.processFacts([pid])),
			inShell('UTC', 'fr_FR.UTF-8', () => darwin.processFacts([pid])),
		].map(facts => facts.get(pid));
		expect(seen[0]).toBeDefined();
		expect(seen[1]).toEqual(seen[0]);
		expect(seen[2]).toEqual(seen[0]);
		const started = Number(seen[0]!.startTime);
		expect(started).toBeGreaterThanOrEqual(before - 2);
		expect(started).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 2);
	});

	it('answers for several pids at once: live, zombie and missing', async () => {
		const live = [sleeper(), sleeper()];
		const dead = await zombie();
		const missing = 4_194_305; // above the largest pid_max Linux allows (2^22)
		const facts = darwin.processFacts([...live, dead, missing]);
		expect(facts.get(live[0]!)?.zombie).toBe(false);
		expect(facts.get(live[1]!)?.zombie).toBe(false);
		expect(facts.get(dead)?.zombie).toBe(true);
		expect(facts.has(missing)).toBe(false);
		expect(linux.processFacts([...live, dead, missing]).get(dead)?.zombie).toBe(true);
		expect(darwin.processFacts([missing]).size).toBe(0);
		expect(darwin.processFacts([]).size).toBe(0);
	});

	it('groupAlive: a live process group is alive, a killed one is not', async () => {
		const child = spawn('sleep', ['300'], {stdio: 'ignore', detached: true});
		onCleanup(() => child.kill('SIGKILL'));
		expect(darwin.groupAlive(child.pid!)).toBe(true);
		process.kill(-child.pid!, 'SIGKILL');
		await waitFor(() => !darwin.groupAlive(child.pid!), {what: 'the group to end'});
		expect(linux.groupAlive(child.pid!)).toBe(false);
	});
});

/** Makes the built CLI take its macOS paths on this machine, and logs every ps it runs. */
function macLike(): {extra: Record<string, string>; psCalls: () => string[]} {
	const dir = tempDir('port-maclike-');
	const preload = path.join(dir, 'darwin.cjs');
	writeFileSync(preload, "Object.defineProperty(process, 'platform', {value: 'darwin'});\n");
	const bin = path.join(dir, 'bin');
	mkdirSync(bin);
	const log = path.join(dir, 'ps.log');
	const realPs = execFileSync('sh', ['-c', 'command -v ps'], {encoding: 'utf8'}).trim();
	writeFileSync(path.join(bin, 'ps'), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${realPs}' "$@"\n`);
	chmodSync(path.join(bin, 'ps'), 0o755);
	writeFileSync(log, '');
	return {
		extra: {NODE_OPTIONS: `--require ${preload}`, PATH: `${bin}:${process.env['PATH']}`},
		psCalls: () => readFileSync(log, 'utf8').split('\n').filter(Boolean),
	};
}

describe('port on macOS (ps paths, run on Linux)', () => {
	it('a service started from a shell with another TZ and locale stays listed; list runs one ps per pass, not one per pid', async () => {
		const repo = makeRepo();
		const mac = macLike();
		const docker = fakeDocker().bin;
		const home = tempDir('port-home-');
		const server = path.join(repoDir, 'test', 'fixtures', 'server.cjs');
		const env = (tz: string, locale: string) => ({portHome: home, dockerBin: docker, extra: {...mac.extra, TZ: tz, LC_ALL: locale, LANG: locale}});
		const runs = [3000, 3001, 3002].map(p => startPort(['run', String(p), '--', 'node', server, `tz-${p}`], repo, env('America/Los_Angeles', 'C')));
		try {
			await waitFor(() => readRegistryFile(home).hostServices.length === 3, {what: 'three services'});
			const [first] = readRegistryFile(home).hostServices as unknown as Array<{pidStartTime: string}>;
			// Stored as epoch seconds by the ps path (not /proc clock ticks, not local-time text).
			expect(Math.abs(Number(first!.pidStartTime) - Date.now() / 1000)).toBeLessThan(120);

			const callsBefore = mac.psCalls().length;
			const listed = await port(['list', '--json'], repo, env('Asia/Tokyo', 'de_DE.UTF-8'));
			expect(listed.code, listed.stderr).toBe(0);
			const services = (JSON.parse(listed.stdout) as {hostServices: Array<{logicalPort: number; status: string}>}).hostServices;
			expect(services.map(s => [s.logicalPort, s.status])).toEqual([
				[3000, 'running'],
				[3001, 'running'],
				[3002, 'running'],
			]);
			expect(readRegistryFile(home).hostServices).toHaveLength(3);
			expect(routeFiles(home)).toHaveLength(3);
			// Stale cleanup's pass and list's pass: six pids, two ps.
			const calls = mac.psCalls().slice(callsBefore);
			expect(calls).toHaveLength(2);
			for (const call of calls) expect(call.split(' -p ')[1]!.split(',')).toHaveLength(6);

		} finally {
			// SIGTERM (not the helper's SIGKILL): port run stops its child, nothing is left running.
			for (const run of runs) run.kill('SIGTERM');
			await Promise.all(runs.map(run => finished(run)));
		}
	});
});
