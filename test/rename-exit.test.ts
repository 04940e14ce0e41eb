import {execFileSync} from 'node:child_process';
import {chmodSync, existsSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {initializedRepo, port, readRegistryFile, startPort, type CliEnv} from './helpers/cli.js';
import {cliPath, fakeDocker, git, pathWith, repoDir, runCleanups, tempDir, waitFor} from './helpers/env.js';

afterEach(() => runCleanups());

const setup = initializedRepo;

const enter = async (repo: string, env: CliEnv, branch: string) => {
	const result = await port(['enter', branch], repo, env);
	expect(result.code, result.stderr).toBe(0);
	return result.stdout.trim();
};

/** Runs `script` in bash with the shell hook loaded and a `port` on PATH; returns its stdout. */
async function inHookedShell(repo: string, env: CliEnv, script: string): Promise<string> {
	const bin = tempDir('port-bin-');
	writeFileSync(path.join(bin, 'port'), `#!/bin/sh\nexec "${process.execPath}" "${cliPath}" "$@"\n`);
	chmodSync(path.join(bin, 'port'), 0o755);
	const hook = (await port(['shell-hook', 'bash'], repo, env)).stdout;
	return execFileSync('bash', ['-c', `eval "$1"\n${script}`, 'bash', hook], {
		cwd: repo,
		encoding: 'utf8',
		env: {HOME: process.env['HOME'], PATH: `${bin}:${pathWith(env.dockerBin)}`, PORT_HOME: env.portHome},
	});
}

describe('port rename (alias mv)', () => {
	it('renames the branch and moves the directory; the shell hook follows', async () => {
		const {repo, env} = await setup();
		const tree = await enter(repo, env, 'feat/old');
		const out = await inHookedShell(repo, env, `cd '${tree}'\nport mv feat/new >/dev/null 2>&1\necho "rc=$? pwd=$PWD"`);
		const moved = path.join(repo, '.port', 'trees', 'feat-new');
		expect(out).toBe(`rc=0 pwd=${moved}\n`);
		expect(existsSync(tree)).toBe(false);
		expect(git(moved, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('feat/new');
		expect(git(repo, 'branch', '--list', 'feat/old').trim()).toBe('');
		expect((await port(['list'], repo, env)).stdout).toMatch(/feat-new\s+feat\/new/);
	});

	it('refuses (exit 4) while compose services run; --yes stops them first; bad targets are refused', async () => {
		const {repo, env, fake} = await setup();
		const tree = await enter(repo, env, 'feat/up');
		writeFileSync(path.join(tree, 'docker-compose.yml'), 'services:\n  web:\n    image: busybox\n    ports: ["3000:80"]\n');
		expect((await port(['up'], tree, env)).code).toBe(0);
		const refused = await port(['rename', 'feat/renamed'], tree, env);
		expect(refused.code).toBe(4);
		expect(refused.stderr).toMatch(/^port: feat-up has running services \(compose project app-feat-up-\w+\), routed under its current name\.\n/);
		expect(existsSync(tree)).toBe(true);

		await enter(repo, env, 'taken');
		expect((await port(['rename', 'taken'], tree, env)).code).toBe(4);
		expect((await port(['rename', 'a..b'], tree, env)).code).toBe(2);
		expect((await port(['rename', 'x'], repo, env)).code).toBe(2); // the main checkout
		expect((await port(['rename'], tree, env)).code).toBe(2);

		const renamed = await port(['rename', 'feat/renamed', '--yes'], tree, env);
		expect(renamed.code, renamed.stderr).toBe(0);
		expect(renamed.stderr).not.toContain('warning'); // docker is still found after the directory moved
		expect(renamed.stdout).toBe(`${path.join(repo, '.port', 'trees', 'feat-renamed')}\n`);
		expect(fake.calls().some(c => c[0] === 'compose' && /^app-feat-up-/.test(c[2]!) && c.at(-1) === 'down')).toBe(true);
		expect(readRegistryFile(env.portHome).projects).toEqual([]);
	});
});

describe('port rename and the old Compose project\'s volumes', () => {
	it('warns, naming them, when the old project has named volumes; says nothing without docker', async () => {
		const {repo, env} = await setup();
		// Answers `docker volume ls --filter label=com.docker.compose.project=<p>` with two of <p>'s volumes.
		const withVolumes = fakeDocker({script: 'if [ "$1 $2" = "volume ls" ]; then p="${5#label=com.docker.compose.project=}"; echo "${p}_db"; echo "${p}_cache"; exit 0; fi'});
		const tree = await enter(repo, env, 'feat/vol');
		const renamed = await port(['rename', 'feat/vol2'], tree, {...env, dockerBin: withVolumes.bin});
		expect(renamed.code, renamed.stderr).toBe(0);
		const old = withVolumes.calls().find(c => c[0] === 'volume')!.at(-1)!.replace('label=com.docker.compose.project=', '');
		expect(old).toMatch(/^app-feat-vol-\w+$/);
		expect(renamed.stderr).toContain(`port: warning: the Compose project ${old} has 2 named volume(s) the renamed worktree's project app-feat-vol2-`);
		expect(renamed.stderr).toContain(`will not use: ${old}_db, ${old}_cache (copy what you need; remove them with: docker volume rm ${old}_db ${old}_cache)\n`);

		const again = await port(['rename', 'feat/vol3'], renamed.stdout.trim(), {...env, dockerBin: undefined});
		expect(again.code, again.stderr).toBe(0);
		expect(again.stderr).not.toContain('warning');
	});
});

describe('port exit, port remove without a branch, aliases', () => {
	it('port exit takes the hooked shell back to the repository root', async () => {
		const {repo, env} = await setup();
		const tree = await enter(repo, env, 'feat/x');
		const out = await inHookedShell(repo, env, `cd '${tree}'\nport exit\necho "rc=$? pwd=$PWD"`);
		expect(out).toBe(`${repo}\nrc=0 pwd=${repo}\n`);
		const outside = await port(['exit'], tempDir(), env);
		expect(outside.code).toBe(3);
	});

	it('port rm without a branch removes the current worktree: --yes without a terminal, shell back at the root', async () => {
		const {repo, env} = await setup();
		const tree = await enter(repo, env, 'feat/here');
		const refused = await port(['remove'], tree, env);
		expect(refused.code).toBe(2);
		expect(refused.stderr).toContain('port: port remove without <branch> removes this worktree (feat-here): confirm with --yes (no terminal to ask).');
		expect(existsSync(tree)).toBe(true);
		expect((await port(['remove', '--yes'], repo, env)).code).toBe(2); // the main checkout
		const out = await inHookedShell(repo, env, `cd '${tree}'\nport rm --yes >/dev/null 2>&1\necho "rc=$? pwd=$PWD"`);
		expect(out).toBe(`rc=0 pwd=${repo}\n`);
		expect(existsSync(tree)).toBe(false);
		expect(git(repo, 'branch', '--list', 'archive/feat/here-*').trim()).toMatch(/^archive\/feat\/here-/);
	});

	it('ls, dc and the help text: aliases run their command; port --help lists the new commands', async () => {
		const {repo, env, fake} = await setup();
		const ls = await port(['ls', '--json'], repo, env);
		expect(ls.code, ls.stderr).toBe(0);
		expect(JSON.parse(ls.stdout).worktrees[0].branch).toBe('main');
		writeFileSync(path.join(repo, 'docker-compose.yml'), 'services:\n  web:\n    image: busybox\n');
		const dc = await port(['dc', 'ps'], repo, env);
		expect(dc.code, dc.stderr).toBe(0);
		const last = fake.calls().at(-1)!;
		expect([last.slice(0, 2), last.at(-1)]).toEqual([['compose', '-p'], 'ps']);
		const help = (await port(['--help'], repo, env)).stdout;
		for (const name of ['exit', 'prune', 'cleanup', 'rename', 'hook', 'open', 'up [service...]', 'down [service...]']) expect(help).toContain(`    ${name}`);
		// Near-misses of aliases are still refused rather than made into branches.
		expect((await port(['sl'], repo, env)).stderr).toContain('Did you mean "port list"?');
	});
});

describe('port down [service...]', () => {
	it('stops and removes only the named services; the project stays registered', async () => {
		const {repo, env, fake} = await setup();
		writeFileSync(path.join(repo, 'docker-compose.yml'), 'services:\n  web:\n    image: busybox\n    ports: ["3000:80"]\n  db:\n    image: busybox\n');
		expect((await port(['up'], repo, env)).code).toBe(0);
		const down = await port(['down', 'web'], repo, env);
		expect(down.code, down.stderr).toBe(0);
		expect(down.stdout).toMatch(/^web of app-app-\w+ is down\n$/);
		const tail = fake.calls().slice(-2).map(c => c.slice(c.indexOf('-f', 4) + 2));
		expect(tail).toEqual([['stop', 'web'], ['rm', '-f', 'web']]);
		expect(fake.calls().some(c => c.at(-1) === 'down')).toBe(false);
		expect(readRegistryFile(env.portHome).projects).toHaveLength(1);
		expect(readFileSync(path.join(repo, '.port', 'override.yml'), 'utf8')).toContain('web');
	});
});

describe('port rename and port open with a host service', () => {
	it('refuses while port run serves the worktree; port open opens its URL; --yes stops it and renames', async () => {
		const {repo, env} = await setup();
		const tree = await enter(repo, env, 'feat/host');
		startPort(['run', '3000', '--', process.execPath, path.join(repoDir, 'test', 'fixtures', 'server.cjs'), 'rename'], tree, env);
		await waitFor(() => readRegistryFile(env.portHome).hostServices.length === 1, {what: 'the host service'});
		const refused = await port(['rename', 'feat/moved'], tree, env);
		expect(refused.code).toBe(4);
		expect(refused.stderr).toContain('port: feat-host has running services (host service feat-host:3000');

		const opened = path.join(tempDir(), 'opened.txt');
		const browser = path.join(tempDir(), 'browser');
		writeFileSync(browser, `#!/bin/sh\necho "$1" > '${opened}'\n`);
		chmodSync(browser, 0o755);
		const open = await port(['open'], tree, {...env, extra: {BROWSER: browser}});
		expect(open.code, open.stderr).toBe(0);
		expect(readFileSync(opened, 'utf8')).toBe('http://feat-host.port:3000\n');

		const renamed = await port(['rename', 'feat/moved', '--yes'], tree, env);
		expect(renamed.code, renamed.stderr).toBe(0);
		expect(renamed.stderr).toContain('port: stopped host service feat-host:3000');
		expect(readRegistryFile(env.portHome).hostServices).toEqual([]);
		expect(existsSync(path.join(repo, '.port', 'trees', 'feat-moved'))).toBe(true);
	});
});
