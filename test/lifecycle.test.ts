import {existsSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {commitFile, initializedRepo, port, type CliEnv} from './helpers/cli.js';
import {fakeDocker, git, makeRepo, runCleanups, tempDir} from './helpers/env.js';

afterEach(() => runCleanups());

const setup = initializedRepo;

const commit = commitFile;

const enter = async (repo: string, env: CliEnv, branch: string) => {
	const result = await port(['enter', branch], repo, env);
	expect(result.code, result.stderr).toBe(0);
	return result.stdout.trim();
};

const branches = (repo: string) => git(repo, 'branch', '--format=%(refname:short)').trim().split('\n').sort();
const downCalls = (fake: ReturnType<typeof fakeDocker>) => fake.calls().filter(c => c[0] === 'compose' && c.at(-1) === 'down').map(c => c[2]);

describe('port prune', () => {
	it('removes merged worktrees (services stopped, branch archived); skips unmerged, dirty and the current one', async () => {
		const {repo, env, fake} = await setup();
		const merged = await enter(repo, env, 'feat/merged');
		commit(merged, 'merged.txt');
		git(repo, 'merge', '-q', '--no-ff', '-m', 'merge', 'feat/merged');
		const open = await enter(repo, env, 'feat/open');
		commit(open, 'open.txt');
		const dirty = await enter(repo, env, 'feat/dirty');
		commit(dirty, 'dirty.txt');
		git(repo, 'merge', '-q', '--ff-only', 'feat/dirty');
		writeFileSync(path.join(dirty, 'wip.txt'), 'wip');
		// A fresh worktree points into main, so git counts it as merged; it holds only ignored files.
		const fresh = await enter(repo, env, 'feat/fresh');
		writeFileSync(path.join(repo, '.git', 'info', 'exclude'), '.env\n');
		writeFileSync(path.join(fresh, '.env'), 'SECRET=1');
		const before = branches(repo);

		const dry = await port(['prune', '--dry-run'], repo, env);
		expect(dry.code, dry.stderr).toBe(0);
		expect(dry.stdout).toContain('would remove feat-merged (feat/merged): merged into main');
		expect(dry.stdout).toContain('skipped feat-dirty (feat/dirty): merged into main, but it has 1 uncommitted or untracked change(s)');
		expect(dry.stdout).toContain('skipped feat-fresh (feat/fresh): no commits yet');
		expect(dry.stdout).not.toContain('feat-open');
		expect(branches(repo)).toEqual(before);
		expect(existsSync(merged)).toBe(true);

		const noTty = await port(['prune'], repo, env);
		expect(noTty.code).toBe(2);
		expect(noTty.stderr).toContain('port: Not removing 1 worktree(s) without --yes (no terminal to ask).');
		expect(existsSync(merged)).toBe(true);

		// From inside the merged worktree it is skipped: the shell would be left in a removed directory.
		const inside = await port(['prune', '--dry-run'], merged, env);
		expect(inside.stdout).toContain('skipped feat-merged (feat/merged): merged into main, but you are inside it');

		const done = await port(['prune', '--yes'], repo, env);
		expect(done.code, done.stderr).toBe(0);
		expect(existsSync(merged)).toBe(false);
		expect(existsSync(open) && existsSync(dirty)).toBe(true);
		expect(existsSync(path.join(fresh, '.env'))).toBe(true);
		expect(downCalls(fake)).toEqual([expect.stringMatching(/^app-feat-merged-/)]);
		expect(branches(repo)).toEqual(expect.arrayContaining(['feat/open', 'feat/dirty', 'feat/fresh', 'main']));
		expect(branches(repo).find(b => b.startsWith('archive/feat/merged-'))).toBeDefined();
		expect(branches(repo)).not.toContain('feat/merged');
		expect((await port(['prune', '--yes'], repo, env)).stdout).toContain('Nothing to prune');
	});

	it('--base compares with another branch; a worktree whose upstream is gone is pruned too, its unmerged commits kept', async () => {
		const origin = makeRepo('origin');
		const repo = path.join(tempDir(), 'app');
		git(path.dirname(repo), 'clone', '-q', origin, repo);
		const {env} = await setup(repo);
		const gone = await enter(repo, env, 'feat/gone');
		commit(gone, 'gone.txt'); // not merged into main
		git(gone, 'push', '-q', '-u', 'origin', 'feat/gone');
		git(repo, 'push', '-q', 'origin', '--delete', 'feat/gone');
		git(repo, 'branch', 'release');
		const onRelease = await enter(repo, env, 'feat/rel');
		commit(onRelease, 'rel.txt');
		git(repo, 'branch', '-f', 'release', 'feat/rel');

		const plain = await port(['prune', '--dry-run'], repo, env);
		expect(plain.stdout).toContain('would remove feat-gone (feat/gone): upstream gone; 1 commit(s) not in main, kept as archive/feat/gone-<time>');
		expect(plain.stdout).not.toContain('feat-rel');
		const base = await port(['prune', '--dry-run', '--base', 'release'], repo, env);
		expect(base.stdout).toContain('would remove feat-rel (feat/rel): merged into release');
		const unknown = await port(['prune', '--base', 'nope'], repo, env);
		expect(unknown.code).toBe(2);
		expect(unknown.stderr).toContain('port: Unknown base "nope"');
		const unpushed = git(gone, 'rev-parse', 'HEAD').trim();
		commit(gone, 'unpushed.txt'); // never pushed anywhere
		const tip = git(gone, 'rev-parse', 'HEAD').trim();
		expect((await port(['prune', '--dry-run'], repo, env)).stdout).toContain('upstream gone; 2 commit(s) not in main');
		expect((await port(['prune', '--yes'], repo, env)).code).toBe(0);
		expect(existsSync(gone)).toBe(false);
		expect(existsSync(onRelease)).toBe(true);

		// cleanup keeps the archive: its commits are in no other branch.
		const archive = branches(repo).find(b => b.startsWith('archive/feat/gone-'))!;
		const kept = await port(['cleanup', '--yes'], repo, env);
		expect(kept.code, kept.stderr).toBe(0);
		expect(kept.stdout).toBe(`kept ${archive}: 2 commit(s) not in main (--force deletes it)\nNo merged archive/* branches to delete.\n`);
		expect(git(repo, 'rev-parse', archive).trim()).toBe(tip);
		expect(git(repo, 'merge-base', '--is-ancestor', unpushed, archive)).toBe('');
		const forced = await port(['cleanup', '--yes', '--force'], repo, env);
		expect(forced.code, forced.stderr).toBe(0);
		expect(forced.stdout).toContain(`to delete ${archive}`);
		expect(branches(repo)).not.toContain(archive);
	});
});

describe('port cleanup', () => {
	it('deletes the merged archive/* branches remove made, keeps unmerged ones unless --force, and nothing else', async () => {
		const {repo, env} = await setup();
		const tree = await enter(repo, env, 'feat/old');
		commit(tree, 'old.txt');
		git(repo, 'merge', '-q', '--no-ff', '-m', 'merge', 'feat/old');
		const wip = await enter(repo, env, 'feat/wip');
		commit(wip, 'wip.txt');
		expect((await port(['rm', 'feat/old'], repo, env)).code).toBe(0);
		expect((await port(['rm', 'feat/wip'], repo, env)).code).toBe(0);
		git(repo, 'branch', 'archive/by-hand');
		const archived = branches(repo).find(b => b.startsWith('archive/feat/old-'))!;
		const unmerged = branches(repo).find(b => b.startsWith('archive/feat/wip-'))!;
		const keptLine = `kept ${unmerged}: 1 commit(s) not in main (--force deletes it)\n`;
		const dry = await port(['cleanup', '--dry-run'], repo, env);
		expect(dry.stdout).toBe(`${keptLine}would delete ${archived}\n`);
		expect(branches(repo)).toContain(archived);
		expect((await port(['cleanup'], repo, env)).code).toBe(2);
		const done = await port(['cleanup', '--yes'], repo, env);
		expect(done.code, done.stderr).toBe(0);
		expect(branches(repo)).toEqual(['archive/by-hand', unmerged, 'main'].sort());
		expect((await port(['cleanup', '--yes'], repo, env)).stdout).toBe(`${keptLine}No merged archive/* branches to delete.\n`);
		const forced = await port(['cleanup', '--yes', '--force'], repo, env);
		expect(forced.code, forced.stderr).toBe(0);
		expect(branches(repo)).toEqual(['archive/by-hand', 'main']);
		expect((await port(['cleanup', '--yes'], repo, env)).stdout).toBe('No archive/* branches to delete.\n');
	});
});

describe('port prune, when one removal fails', () => {
	it('reports the locked worktree, removes the others and exits 1', async () => {
		const {repo, env} = await setup();
		const locked = await enter(repo, env, 'feat/locked');
		const other = await enter(repo, env, 'feat/other');
		for (const [tree, branch] of [[locked, 'feat/locked'], [other, 'feat/other']] as const) {
			commit(tree, `${branch.slice(5)}.txt`);
			git(repo, 'merge', '-q', '--no-ff', '-m', 'merge', branch);
		}
		git(repo, 'worktree', 'lock', locked);
		const result = await port(['prune', '--yes'], repo, env);
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('port: could not remove feat-locked: git worktree remove failed');
		expect(existsSync(locked)).toBe(true);
		expect(existsSync(other)).toBe(false);
		expect(branches(repo)).toContain('feat/locked');
	});
});
