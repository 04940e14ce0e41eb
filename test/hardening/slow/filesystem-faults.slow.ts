// File-system faults under PORT_HOME on real mounts (needs root, as in .ci/run): a full disk
// (a small tmpfs filled up) and a read-only file system (tmpfs remounted ro). Each command ends
// with exit 3 and one line naming the cause, the registry is byte-for-byte what it was (the
// live entry in it is not lost), and no half-written file is left.
import {execFileSync} from 'node:child_process';
import {mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {finished, port, startPort, type CliEnv} from '../../helpers/cli.js';
import {fakeDocker, makeRepo, runCleanups, tempDir} from '../../helpers/env.js';
import {liveEntry, tempFiles, type Scene} from '../cases.js';

const mounts: string[] = [];
function mountTmpfs(size: string): string {
	const dir = tempDir('port-mount-');
	try {
		execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], {stdio: 'pipe'});
	} catch (error) {
		throw new Error(`This suite mounts tmpfs file systems and must run as root (as .ci/run does): ${(error as Error).message}`);
	}
	mounts.push(dir);
	return dir;
}

afterAll(async () => {
	for (const dir of mounts.reverse()) execFileSync('umount', ['-l', dir]);
	await runCleanups();
});

function fixture(home: string) {
	const repo = makeRepo('app');
	const env: CliEnv = {portHome: home, dockerBin: fakeDocker().bin};
	const s: Scene = {repo, portHome: home, env, dockerCalls: () => []};
	mkdirSync(path.join(home, 'traefik', 'dynamic'), {recursive: true});
	mkdirSync(path.join(home, 'logs'), {recursive: true});
	const registry = `${JSON.stringify({version: 1, projects: [], hostServices: [liveEntry(s)], reservations: []}, null, 2)}\n`;
	writeFileSync(path.join(home, 'registry.json'), registry);
	return {repo, env, registry};
}

/** Fills the file system at `dir` up, leaving `freePages` 4 KiB pages free (tmpfs counts whole pages). */
function fillLeaving(dir: string, freePages: number): void {
	const reserve = path.join(dir, 'reserve');
	if (freePages > 0) writeFileSync(reserve, Buffer.alloc(freePages * 4096, 1));
	let filler = 0;
	try {
		for (;;) writeFileSync(path.join(dir, `filler-${filler++}`), Buffer.alloc(4096, 1));
	} catch (error) {
		expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
	}
	rmSync(reserve, {force: true});
}

/** A realistic registry: 60 projects (three routed ports each) and one live host service; well over 4 KiB. */
function bigRegistry(s: Scene): string {
	const projects = Array.from({length: 60}, (_, i) => ({
		repo: `/home/dev/src/project-${i}`,
		worktree: 'main',
		path: `/home/dev/src/project-${i}`,
		composeProject: `project-${i}-main`,
		domain: 'port',
		ports: [10_000 + i * 3, 10_001 + i * 3, 10_002 + i * 3],
		updatedAt: '2026-01-01T00:00:00.000Z',
	}));
	const text = `${JSON.stringify({version: 1, projects, hostServices: [liveEntry(s)], reservations: []}, null, 2)}\n`;
	expect(text.length).toBeGreaterThan(12 * 1024);
	return text;
}

function expectOneLine(stderr: string, cause: RegExp) {
	const lines = stderr.trim().split('\n');
	expect(lines.length, stderr).toBeLessThanOrEqual(2);
	expect(lines[0]).toMatch(cause);
	expect(stderr).not.toMatch(/^\s+at /m);
}

describe('file-system faults under PORT_HOME', () => {
	it('disk full: port run and port kill fail with exit 3, registry intact, no temp file', async () => {
		const home = mountTmpfs('256k');
		const {repo, env, registry} = fixture(home);
		// Fill the file system completely.
		let filler = 0;
		try {
			for (;;) writeFileSync(path.join(home, `filler-${filler++}`), Buffer.alloc(16 * 1024, 1));
		} catch (error) {
			expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
		}
		const run = await port(['run', '3001', '--', 'sleep', '5'], repo, env);
		expect(run.code, run.stderr).toBe(3);
		expectOneLine(run.stderr, /^port: Cannot (write|lock|create) .*: no space left on device$/);
		const kill = await port(['kill', '--all'], repo, env);
		expect([0, 3]).toContain(kill.code);
		if (kill.code === 3) expectOneLine(kill.stderr, /no space left on device/);
		// port kill stopped the process but could not remove its entry: it is stale now. Reading
		// still works (with a warning), shows no dead service, and the entry stays in the file.
		const list = await port(['list', '--json'], repo, env);
		expect(list.code, list.stderr).toBe(0);
		expect(JSON.parse(list.stdout).hostServices).toHaveLength(0);
		if (kill.code === 3) {
			expectOneLine(list.stderr, /^port: warning: stale entries were not cleaned up: Cannot write .*: no space left on device$/);
			expect(readFileSync(path.join(home, 'registry.json'), 'utf8')).toBe(registry);
		}
		expect(tempFiles(home)).toEqual([]);
		expect(readdirSync(path.join(home, 'traefik', 'dynamic')).filter(f => f.endsWith('.tmp'))).toEqual([]);
	});

	it('read-only file system: port run fails with exit 3, list still reads, registry intact', async () => {
		const home = mountTmpfs('1m');
		const {repo, env, registry} = fixture(home);
		execFileSync('mount', ['-o', 'remount,ro', home]);
		const run = await port(['run', '3001', '--', 'sleep', '5'], repo, env);
		expect(run.code, run.stderr).toBe(3);
		expectOneLine(run.stderr, /^port: Cannot (write|lock|create) .*: read-only file system$/);
		const list = await port(['list', '--json'], repo, env);
		expect(list.code, list.stderr).toBe(0);
		expect(JSON.parse(list.stdout).hostServices).toHaveLength(1);
		expect(readFileSync(path.join(home, 'registry.json'), 'utf8')).toBe(registry);
		expect(tempFiles(home)).toEqual([]);
	});

	it('nearly full disk: port run exits 3 with one line and the 60-project registry stays byte-identical', async () => {
		const home = mountTmpfs('512k');
		const {repo, env} = fixture(home);
		const registry = bigRegistry({repo, portHome: home, env, dockerCalls: () => []});
		writeFileSync(path.join(home, 'registry.json'), registry);
		fillLeaving(home, 2); // 8 KiB free: less than the registry, more than nothing
		const run = await port(['run', '3001', '--', 'sleep', '5'], repo, env);
		expect(run.code, run.stderr).toBe(3);
		expectOneLine(run.stderr, /^port: Cannot write .*registry\.json: no space left on device$/);
		expect(readFileSync(path.join(home, 'registry.json'), 'utf8')).toBe(registry);
		expect(tempFiles(home)).toEqual([]);
		// The next command reads every project and the live service (nothing moved aside).
		const list = await port(['list', '--json'], repo, env);
		expect(list.code, list.stderr).toBe(0);
		expect(list.stderr).toBe('');
		expect(JSON.parse(list.stdout).hostServices).toHaveLength(1);
		expect(readdirSync(home).filter(f => f.includes('corrupt'))).toEqual([]);
		expect(readFileSync(path.join(home, 'registry.json'), 'utf8')).toBe(registry);
	});

	it('nearly full disk under traefik/: Traefik files and route files are whole or untouched, exit 3, registry intact', async () => {
		const home = tempDir('port-home-');
		const repo = makeRepo('app');
		const env: CliEnv = {portHome: home}; // no docker: Traefik files are written, nothing started
		const registry = bigRegistry({repo, portHome: home, env, dockerCalls: () => []});
		writeFileSync(path.join(home, 'registry.json'), registry);
		const traefik = path.join(home, 'traefik');
		mkdirSync(traefik);
		const fs = mountTmpfs('256k');
		execFileSync('mount', ['--bind', fs, traefik]);
		mounts.push(traefik);
		// With room: generate the Traefik files (180 project entrypoints + 3001).
		const first = await port(['run', '3001', '--', 'true'], repo, env);
		expect(first.code, first.stderr).toBe(0);
		const staticFile = path.join(traefik, 'traefik.yml');
		const composeFile = path.join(traefik, 'docker-compose.yml');
		const before = {static: readFileSync(staticFile, 'utf8'), compose: readFileSync(composeFile, 'utf8')};
		expect(before.static.length).toBeGreaterThan(4096);
		expect(readFileSync(path.join(home, 'registry.json'), 'utf8')).toBe(registry);

		// One page free: a new entrypoint (3002) needs a larger traefik.yml than fits.
		fillLeaving(traefik, 1);
		const run = await port(['run', '3002', '--', 'sleep', '5'], repo, env);
		expect(run.code, run.stderr).toBe(3);
		expectOneLine(run.stderr, /^port: Cannot write .*traefik[/]traefik\.yml: no space left on device$/);
		expect(readFileSync(staticFile, 'utf8')).toBe(before.static);
		expect(readFileSync(composeFile, 'utf8')).toBe(before.compose);
		expect(readFileSync(path.join(home, 'registry.json'), 'utf8')).toBe(registry);
		expect(tempFiles(home)).toEqual([]);

		// No room at all: 3001 needs no Traefik change, only its route file, which cannot be written.
		fillLeaving(traefik, 0);
		const routeRun = await port(['run', '3001', '--', 'sleep', '5'], repo, env);
		expect(routeRun.code, routeRun.stderr).toBe(3);
		expectOneLine(routeRun.stderr, /^port: Cannot write .*dynamic[/]host-.*\.yml: no space left on device$/);
		expect(readdirSync(path.join(traefik, 'dynamic')).filter(f => f.startsWith('host-'))).toEqual([]);
		expect(readFileSync(staticFile, 'utf8')).toBe(before.static);
		expect(readFileSync(path.join(home, 'registry.json'), 'utf8')).toBe(registry);
		expect(tempFiles(home)).toEqual([]);
	});

	it('full disk under logs/: the service keeps running, the log never holds a cut line, logging resumes when space returns', async () => {
		const home = tempDir('port-home-');
		const repo = makeRepo('app');
		const logs = path.join(home, 'logs');
		mkdirSync(logs, {recursive: true});
		const fs = mountTmpfs('64k');
		execFileSync('mount', ['--bind', fs, logs]);
		mounts.push(logs);
		fillLeaving(logs, 1); // room for 67 of the 61-byte lines and 9 bytes of the 68th
		const go = path.join(home, 'go');
		// One line per write, so every chunk the supervisor reads is whole lines; then wait for space.
		const script = `const fs = require('fs');
let i = 0;
const tick = () => {
	if (i < 200) { console.log('line ' + String(i++).padStart(4, '0') + ' ' + 'x'.repeat(50)); setTimeout(tick, 2); return; }
	if (!fs.existsSync(${JSON.stringify(go)})) { setTimeout(tick, 20); return; }
	for (let j = 0; j < 10; j++) console.log('after ' + j);
	const wait = () => (fs.existsSync(${JSON.stringify(go)} + '.stop') ? process.exit(0) : setTimeout(wait, 20));
	wait();
};
tick();`;
		const run = startPort(['run', '3001', '--', process.execPath, '-e', script], repo, {portHome: home});
		const deadline = Date.now() + 60_000;
		while (!run.output.stdout.includes('line 0199') && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 25));
		const logFile = readdirSync(logs).find(f => f.endsWith('.log'))!;
		expect(logFile).toBeDefined();
		rmSync(path.join(logs, 'filler-0'));
		writeFileSync(go, '');
		const log = () => readFileSync(path.join(logs, logFile), 'utf8');
		while (!log().includes('after 9') && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 25));
		const lines = log().trimEnd().split('\n');
		// Whole lines only: the chunk that did not fit was dropped entirely, not cut.
		for (const line of lines) expect(line).toMatch(/^(line \d{4} x{50}|after \d)$/);
		expect(lines.filter(l => l.startsWith('line ')).length).toBeLessThan(200);
		expect(lines.slice(-10)).toEqual(Array.from({length: 10}, (_, j) => `after ${j}`));
		writeFileSync(`${go}.stop`, '');
		const result = await finished(run);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toContain('line 0199'); // the terminal got everything
	});
});
