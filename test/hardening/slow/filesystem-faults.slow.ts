// File-system faults under PORT_HOME on real mounts (needs root, as in .ci/run): a full disk
// (a small tmpfs filled up) and a read-only file system (tmpfs remounted ro). Each command ends
// with exit 3 and one line naming the cause, the registry is byte-for-byte what it was (the
// live entry in it is not lost), and no half-written file is left.
import {execFileSync} from 'node:child_process';
import {mkdirSync, readFileSync, readdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {port, type CliEnv} from '../../helpers/cli.js';
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
});
