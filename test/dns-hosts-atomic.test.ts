// The hosts file is replaced atomically (temp file + rename), so a full disk never leaves it
// truncated. Uses a real small tmpfs (mounting needs root, as in .ci/run).
import {execFileSync, spawn} from 'node:child_process';
import {chownSync, chmodSync, copyFileSync, lstatSync, readFileSync, symlinkSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {cliEnv, port, type CliEnv, type RunResult} from './helpers/cli.js';
import {cliPath, makeRepo, onCleanup, runCleanups, tempDir} from './helpers/env.js';

afterEach(() => runCleanups());

function mountTmpfs(size: string): string {
	const dir = tempDir('port-hosts-mount-');
	execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], {stdio: 'pipe'});
	onCleanup(() => execFileSync('umount', ['-l', dir]));
	return dir;
}

/** Fills the file system at `dir` up completely (tmpfs counts whole 4 KiB pages). */
function fill(dir: string): void {
	let n = 0;
	try {
		for (;;) writeFileSync(path.join(dir, `filler-${n++}`), Buffer.alloc(4096, 1));
	} catch (error) {
		expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
	}
}

describe('hosts mode on a full disk', () => {
	it('port install exits 3 with one line and leaves the hosts file byte-identical; a sync only warns', async () => {
		const etc = mountTmpfs('64k');
		const hosts = path.join(etc, 'hosts');
		// Just under one page: the block makes it need a second page, which a full disk does not have.
		const original = `127.0.0.1 localhost\n::1 localhost\n${'# padding\n'.repeat(400)}`;
		writeFileSync(hosts, original);
		fill(etc);
		const files = readdirSync(etc).sort();
		const env: CliEnv = {portHome: tempDir('port-home-'), extra: {PORT_SYSTEM_ROOT: tempDir('port-sysroot-'), PORT_HOSTS_FILE: hosts, PORT_RESOLVER: 'hosts', PORT_ELEVATE: ''}};

		const failed = await port(['install', '--mode', 'hosts', '--yes'], etc, env);
		expect(failed.stderr).toBe(`port: Cannot write ${hosts}: no space left on device\n`);
		expect(failed.code).toBe(3);
		expect(readFileSync(hosts, 'utf8')).toBe(original);
		expect(readdirSync(etc).sort()).toEqual(files);
		expect((await port(['uninstall'], etc, env)).stdout).toContain('nothing to uninstall');

		// With room the install works; then the disk fills up again and `enter` has to add a name.
		rmSync(path.join(etc, 'filler-0'));
		rmSync(path.join(etc, 'filler-1'));
		expect((await port(['install', '--mode', 'hosts', '--yes'], etc, env)).code).toBe(0);
		const installed = readFileSync(hosts, 'utf8');
		expect(installed).toContain('127.0.0.1 port-check.port\n');
		fill(etc);
		const repo = makeRepo('app');
		expect((await port(['init'], repo, env)).code).toBe(0);
		const entered = await port(['enter', 'feat/x'], repo, env);
		expect(entered.code).toBe(0);
		expect(entered.stderr).toContain(`could not update the hosts file: Cannot write ${hosts}: no space left on device`);
		expect(readFileSync(hosts, 'utf8')).toBe(installed);
		expect(readdirSync(etc).filter(f => f.endsWith('.tmp'))).toEqual([]);
	});

	it('keeps the mode and owner of the file it replaces', async () => {
		const etc = tempDir('port-sysroot-');
		const hosts = path.join(etc, 'hosts');
		writeFileSync(hosts, '127.0.0.1 localhost\n');
		chmodSync(hosts, 0o640);
		chownSync(hosts, 65534, 65534);
		const env: CliEnv = {portHome: tempDir('port-home-'), extra: {PORT_SYSTEM_ROOT: etc, PORT_HOSTS_FILE: hosts, PORT_RESOLVER: 'hosts', PORT_ELEVATE: ''}};
		expect((await port(['install', '--mode', 'hosts', '--yes'], etc, env)).code).toBe(0);
		const after = statSync(hosts);
		expect(readFileSync(hosts, 'utf8')).toContain('port-check.port');
		expect([after.mode & 0o7777, after.uid, after.gid]).toEqual([0o640, 65534, 65534]);
		expect((await port(['uninstall'], etc, env)).code).toBe(0);
		expect(readFileSync(hosts, 'utf8')).toBe('127.0.0.1 localhost\n');
		expect([statSync(hosts).mode & 0o7777, statSync(hosts).uid]).toEqual([0o640, 65534]);
	});
});

/** `port` run as nobody (uid 65534), so files under root-owned directories need the elevate command. */
function portAsNobody(args: string[], cwd: string, env: CliEnv): Promise<RunResult> {
	const argv = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cliPath, ...args];
	const child = spawn(argv[0]!, argv.slice(1), {cwd, env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe']});
	const out = {stdout: '', stderr: ''};
	child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
	child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
	return new Promise(resolve => child.once('close', (code, signal) => resolve({code, signal, ...out})));
}

/** Lets uid 65534 traverse the test's temp root (0700) for this test. */
function letNobodyIn(): void {
	for (const dir of [os.tmpdir(), path.dirname(os.tmpdir())]) {
		const mode = statSync(dir).mode & 0o7777;
		chmodSync(dir, mode | 0o001);
		onCleanup(() => chmodSync(dir, mode));
	}
}

describe('hosts files that cannot simply be renamed over', () => {
	it('a symlinked hosts file stays a symlink; its target gets the block', async () => {
		const etc = tempDir('port-sysroot-');
		const real = path.join(etc, 'hosts.real');
		writeFileSync(real, '127.0.0.1 localhost\n');
		const hosts = path.join(etc, 'hosts');
		symlinkSync(real, hosts);
		const env: CliEnv = {portHome: tempDir('port-home-'), extra: {PORT_SYSTEM_ROOT: etc, PORT_HOSTS_FILE: hosts, PORT_RESOLVER: 'hosts', PORT_ELEVATE: ''}};
		expect((await port(['install', '--mode', 'hosts', '--yes'], etc, env)).code).toBe(0);
		expect(lstatSync(hosts).isSymbolicLink()).toBe(true);
		expect(readFileSync(real, 'utf8')).toContain('127.0.0.1 port-check.port\n');
		expect((await port(['uninstall'], etc, env)).code).toBe(0);
		expect(readFileSync(real, 'utf8')).toBe('127.0.0.1 localhost\n');
		expect(readdirSync(etc).sort()).toEqual(['hosts', 'hosts.real']);
	});

	it('a hosts file the user may write (0666) in a directory they may not is written in place, without elevation', async () => {
		letNobodyIn();
		const etc = tempDir('port-sysroot-');
		chmodSync(etc, 0o755);
		const hosts = path.join(etc, 'hosts');
		writeFileSync(hosts, '127.0.0.1 localhost\n');
		chmodSync(hosts, 0o666);
		const home = tempDir('port-home-');
		chownSync(home, 65534, 65534);
		const env: CliEnv = {portHome: home, extra: {PORT_SYSTEM_ROOT: etc, PORT_HOSTS_FILE: hosts, PORT_RESOLVER: 'hosts', PORT_ELEVATE: ''}};
		const installed = await portAsNobody(['install', '--mode', 'hosts'], etc, env);
		expect(installed.stderr).toBe('');
		expect(installed.code).toBe(0);
		expect(readFileSync(hosts, 'utf8')).toContain('127.0.0.1 port-check.port\n');
		expect((await portAsNobody(['uninstall'], etc, env)).code).toBe(0);
		expect(readFileSync(hosts, 'utf8')).toBe('127.0.0.1 localhost\n');
	});
});

describe('hosts mode through the elevate command (tee into a temp file, chmod, chown, mv)', () => {
	it('a full disk exits 3 and leaves the file intact; with room the file keeps its mode and owner', async () => {
		letNobodyIn();
		const etc = mountTmpfs('64k');
		chmodSync(etc, 0o755);
		const hosts = path.join(etc, 'hosts');
		const original = `127.0.0.1 localhost\n${'# padding\n'.repeat(405)}`;
		writeFileSync(hosts, original);
		chownSync(hosts, 1234, 1234);
		chmodSync(hosts, 0o644);
		// The elevate command: a setuid-root copy of env in a temp dir (a stand-in for sudo that asks nothing).
		const bin = tempDir('port-elevate-');
		chmodSync(bin, 0o755);
		const elevate = path.join(bin, 'env');
		copyFileSync('/usr/bin/env', elevate);
		chmodSync(elevate, 0o4755);
		const home = tempDir('port-home-');
		chownSync(home, 65534, 65534);
		const env: CliEnv = {portHome: home, extra: {PORT_SYSTEM_ROOT: etc, PORT_HOSTS_FILE: hosts, PORT_RESOLVER: 'hosts', PORT_ELEVATE: elevate}};
		fill(etc);
		const files = readdirSync(etc).sort();

		const failed = await portAsNobody(['install', '--mode', 'hosts', '--yes'], etc, env);
		expect(failed.stderr).toMatch(new RegExp(`^port: Cannot write ${hosts}: tee: \\S+: No space left on device\n$`));
		expect(failed.code).toBe(3);
		expect(readFileSync(hosts, 'utf8')).toBe(original);
		expect(readdirSync(etc).sort()).toEqual(files);

		for (const file of files.filter(f => f.startsWith('filler-'))) rmSync(path.join(etc, file));
		const installed = await portAsNobody(['install', '--mode', 'hosts', '--yes'], etc, env);
		expect(installed.stderr).toBe('');
		expect(installed.code).toBe(0);
		expect(readFileSync(hosts, 'utf8')).toBe(`${original}# >>> port: managed block (port install / port uninstall; do not edit) >>>\n127.0.0.1 port-check.port\n# <<< port: managed block <<<\n`);
		const after = statSync(hosts);
		expect([after.mode & 0o7777, after.uid, after.gid]).toEqual([0o644, 1234, 1234]);
		expect((await portAsNobody(['uninstall', '--yes'], etc, env)).code).toBe(0);
		expect(readFileSync(hosts, 'utf8')).toBe(original);
		expect(readdirSync(etc).sort()).toEqual(['hosts']);
	});
});
