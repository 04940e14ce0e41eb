import {execFileSync} from 'node:child_process';
import {chmodSync, existsSync, realpathSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {commitFile, initializedRepo, port} from './helpers/cli.js';
import {cliPath, git, makeRepo, pathWith, runCleanups, tempDir} from './helpers/env.js';

afterEach(() => runCleanups());

const setup = initializedRepo;

const commit = commitFile;

describe('port enter', () => {
	it('creates a new branch from HEAD, maps / to -, and is idempotent', async () => {
		const {repo, env} = await setup();
		const first = await port(['enter', 'feat/login'], repo, env);
		expect(first.code, first.stderr).toBe(0);
		const dir = path.join(repo, '.port', 'trees', 'feat-login');
		expect(first.stdout).toBe(`${dir}\n`);
		expect(first.stderr).toContain('new branch feat/login from HEAD');
		expect(git(dir, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('feat/login');
		const again = await port(['enter', 'feat/login'], repo, env);
		expect(again.stdout).toBe(`${realpathSync(dir)}\n`);
		expect(again.stderr).toContain('worktree of feat/login');
		// A name that maps to the same directory but is another branch is refused.
		const clash = await port(['enter', 'Feat/Login'], repo, env);
		expect(clash.code).toBe(4);
		expect(clash.stderr).toContain('.port/trees/feat-login is the worktree of branch "feat/login"');
	});

	it('uses the local branch, else origin/<branch> with tracking; the checked-out branch gives its checkout', async () => {
		const {repo, env} = await setup();
		git(repo, 'branch', 'local-one');
		const local = await port(['enter', 'local-one'], repo, env);
		expect(local.stderr).toContain('from local branch local-one');

		git(repo, 'checkout', '-q', '-b', 'remote-one');
		commit(repo, 'remote.txt');
		git(repo, 'checkout', '-q', 'main');
		const clone = path.join(tempDir(), 'clone');
		git(path.dirname(clone), 'clone', '-q', repo, clone);
		expect((await port(['init'], clone, env)).code).toBe(0);
		const remote = await port(['enter', 'remote-one'], clone, env);
		expect(remote.code, remote.stderr).toBe(0);
		expect(remote.stderr).toContain('from origin/remote-one (tracking)');
		const tree = remote.stdout.trim();
		expect(existsSync(path.join(tree, 'remote.txt'))).toBe(true);
		expect(git(tree, 'rev-parse', '--abbrev-ref', '@{upstream}').trim()).toBe('origin/remote-one');

		const main = await port(['enter', 'main'], repo, env);
		expect(main.stdout).toBe(`${realpathSync(repo)}\n`);
	});

	it('the shorthand port <branch> works; typos of commands and bad names are usage errors', async () => {
		const {repo, env} = await setup();
		const short = await port(['feature-x'], repo, env);
		expect(short.code, short.stderr).toBe(0);
		expect(short.stdout).toBe(`${path.join(repo, '.port', 'trees', 'feature-x')}\n`);
		const typo = await port(['stauts'], repo, env);
		expect(typo.code).toBe(2);
		expect(typo.stderr).toContain('Unknown command "stauts". Did you mean "port status"?');
		const flag = await port(['-x'], repo, env);
		expect(flag.code).toBe(2);
		expect(flag.stderr).toContain('Unknown flag -x');
		const bad = await port(['enter', 'a..b'], repo, env);
		expect(bad.code).toBe(2);
		expect(bad.stderr).toContain('Invalid branch name "a..b"');
		const missing = await port(['enter'], repo, env);
		expect(missing.code).toBe(2);
		const uninit = await port(['enter', 'x'], makeRepo('bare'), env);
		expect(uninit.code).toBe(3);
	});

	it('refuses transposed and short command names (exit 2, no branch, no worktree); port enter and existing branches still reach them', async () => {
		const {repo, env} = await setup();
		const state = () => [git(repo, 'branch', '--list'), git(repo, 'worktree', 'list', '--porcelain')];
		const before = state();
		const typos = {lsit: 'list', dwon: 'down', donw: 'down', iu: 'ui', pu: 'up', sl: 'list', mr: 'remove', stauts: 'status', klil: 'kill', inti: 'init', hlep: '--help'};
		for (const [typo, meant] of Object.entries(typos)) {
			const result = await port([typo], repo, env);
			expect(result.code, typo).toBe(2);
			expect(result.stderr, typo).toContain(`port: Unknown command "${typo}". Did you mean "port ${meant}"?`);
			expect(result.stderr, typo).toContain(`run 'port enter ${typo}'`);
		}
		expect(state()).toEqual(before);
		// Not typos: words that merely share letters with a two-letter command.
		for (const name of ['us', 'uix', 'feature-x']) expect((await port([name], repo, env)).code, name).toBe(0);
		// An existing local branch that looks like a typo is entered by the shorthand too.
		git(repo, 'branch', 'lsit');
		const existing = await port(['lsit'], repo, env);
		expect(existing.code, existing.stderr).toBe(0);
		expect(existing.stdout).toBe(`${path.join(repo, '.port', 'trees', 'lsit')}\n`);
		const explicit = await port(['enter', 'iu'], repo, env);
		expect(explicit.code, explicit.stderr).toBe(0);
		expect(git(repo, 'branch', '--list', 'iu')).toContain('iu');
	}, 120_000); // eleven typos, each a real git repository check: slow on a loaded machine

	it('refuses (exit 4) a branch whose worktree name would be the main checkout\'s (repo named like it), also as shorthand', async () => {
		const {repo, env} = await setup();
		for (const args of [['enter', 'app'], ['App'], ['enter', 'APP']]) {
			const result = await port(args, repo, env);
			expect(result.code, args.join(' ')).toBe(4);
			const lines = result.stderr.trim().split('\n');
			expect(lines, result.stderr).toHaveLength(1);
			expect(lines[0]).toContain(`would get the worktree name "app", which is the main checkout's`);
			expect(lines[0]).toMatch(/use another branch name, e\.g\. "app-2"/);
			expect(result.stdout).toBe('');
		}
		expect(existsSync(path.join(repo, '.port', 'trees', 'app'))).toBe(false);
		expect(git(repo, 'branch', '--list', 'app', 'App', 'APP').trim()).toBe('');
		// Names that merely start with it are fine.
		const ok = await port(['enter', 'app-2'], repo, env);
		expect(ok.code, ok.stderr).toBe(0);
	});
});

describe('port shell-hook', () => {
	it('bash: port enter changes the directory of the calling shell; failures do not', async () => {
		const {repo, env} = await setup();
		const bin = tempDir('port-bin-');
		writeFileSync(path.join(bin, 'port'), `#!/bin/sh\nexec "${process.execPath}" "${cliPath}" "$@"\n`);
		chmodSync(path.join(bin, 'port'), 0o755);
		const hook = (await port(['shell-hook', 'bash'], repo, env)).stdout;
		const script = `eval "$1"\ncd "$2"\nport enter feature-cd >/dev/null 2>&1\necho "rc=$? pwd=$PWD"\nport enter 'a..b' >/dev/null 2>&1\necho "rc=$? pwd=$PWD"\nport list >/dev/null; echo "rc=$?"`;
		const out = execFileSync('bash', ['-c', script, 'bash', hook, repo], {
			encoding: 'utf8',
			env: {HOME: process.env['HOME'], PATH: `${bin}:${pathWith(env.dockerBin)}`, PORT_HOME: env.portHome},
		});
		const tree = path.join(repo, '.port', 'trees', 'feature-cd');
		expect(out).toBe(`rc=0 pwd=${tree}\nrc=2 pwd=${tree}\nrc=0\n`);
	});

	it('prints hooks for zsh and fish; other shells are usage errors', async () => {
		const {repo, env} = await setup();
		const zsh = await port(['shell-hook', 'zsh'], repo, env);
		expect(zsh.stdout).toContain('PORT_CD_FILE="$__port_cd" command port "$@"');
		execFileSync('bash', ['-n', '-c', zsh.stdout]);
		const fish = await port(['shell-hook', 'fish'], repo, env);
		expect(fish.stdout).toContain('function port');
		expect(fish.stdout).toContain('set -lx PORT_CD_FILE');
		const bad = await port(['shell-hook', 'tcsh'], repo, env);
		expect(bad.code).toBe(2);
		expect(bad.stderr).toContain('Unsupported shell "tcsh"');
	});
});

describe('port remove', () => {
	it('refuses a dirty worktree (exit 4), --force removes it; the branch is archived or kept', async () => {
		const {repo, env, fake} = await setup();
		const tree = (await port(['enter', 'feature-r'], repo, env)).stdout.trim();
		commit(tree, 'work.txt');
		writeFileSync(path.join(tree, 'untracked.txt'), 'x');
		const dirty = await port(['remove', 'feature-r'], repo, env);
		expect(dirty.code).toBe(4);
		expect(dirty.stderr).toContain('Worktree feature-r has 1 uncommitted or untracked change(s)');
		expect(existsSync(tree)).toBe(true);

		const forced = await port(['remove', 'feature-r', '--force'], repo, env);
		expect(forced.code, forced.stderr).toBe(0);
		expect(existsSync(tree)).toBe(false);
		expect(git(repo, 'branch', '--list', 'feature-r').trim()).toBe('');
		const archived = git(repo, 'branch', '--list', 'archive/feature-r-*').trim();
		expect(archived).toMatch(/^archive\/feature-r-\d{8}-\d{6}$/);
		expect(git(repo, 'log', '--format=%s', '-1', archived).trim()).toBe('work.txt');
		expect(fake.calls().some(c => c[0] === 'compose' && c.at(-1) === 'down')).toBe(true);

		const kept = (await port(['enter', 'feature-k'], repo, env)).stdout.trim();
		const keep = await port(['remove', 'feature-k', '--keep-branch'], repo, env);
		expect(keep.code, keep.stderr).toBe(0);
		expect(existsSync(kept)).toBe(false);
		expect(git(repo, 'branch', '--list', 'feature-k').trim()).toBe('feature-k');
	});

	it('unknown names fail (exit 1); the main checkout is refused (exit 2)', async () => {
		const {repo, env} = await setup();
		const unknown = await port(['remove', 'nope'], repo, env);
		expect(unknown.code).toBe(1);
		expect(unknown.stderr).toContain('No worktree for "nope"');
		const main = await port(['remove', 'main'], repo, env);
		expect(main.code).toBe(2);
		expect(main.stderr).toContain('is the main checkout');
	});
});
