import {existsSync, mkdirSync, realpathSync, rmSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {ExitCode, PortError, UsageError} from '../errors.js';
import {sanitizeName} from '../names.js';
import {treesDir} from '../paths.js';
import {firstLine} from '../text.js';
import {listWorktrees} from './project.js';

/** git, with argument arrays only (branch names come from users). */
export async function git(args: string[], cwd: string): Promise<{exitCode: number; stdout: string; stderr: string}> {
	try {
		const result = await execa('git', args, {cwd, reject: false, stdin: 'ignore', env: {GIT_TERMINAL_PROMPT: '0'}});
		if (result.failed && result.exitCode === undefined) throw new Error(result.shortMessage ?? 'git failed to start');
		return {exitCode: result.exitCode ?? 1, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '')};
	} catch (error) {
		throw new PortError(`Could not run git: ${(error as Error).message}`, ExitCode.failure, 'Install git and make sure it is on PATH.');
	}
}

/** git's own prefix on its messages: we say what failed ourselves. */
const gitPrefix = /^(fatal|error):\s*/;

async function gitOk(args: string[], cwd: string, what: string): Promise<string> {
	const result = await git(args, cwd);
	if (result.exitCode !== 0) throw new PortError(`${what} failed: ${firstLine(result.stderr, gitPrefix) || `git exit code ${result.exitCode}`}`, ExitCode.failure);
	return result.stdout;
}

export interface GitWorktree {
	path: string;
	branch: string | undefined;
	prunable: boolean;
}

/** `git worktree list --porcelain`, paths resolved (symlinks too, e.g. /tmp on macOS). */
export async function gitWorktrees(repoRoot: string): Promise<GitWorktree[]> {
	const out = await gitOk(['worktree', 'list', '--porcelain'], repoRoot, 'git worktree list');
	const result: GitWorktree[] = [];
	for (const block of out.split(/\n\n+/)) {
		const lines = block.split('\n');
		const dir = lines.find(l => l.startsWith('worktree '))?.slice('worktree '.length);
		if (!dir) continue;
		const ref = lines.find(l => l.startsWith('branch '))?.slice('branch '.length);
		result.push({path: real(dir), branch: ref?.replace(/^refs\/heads\//, ''), prunable: lines.some(l => l.startsWith('prunable'))});
	}
	return result;
}

const real = (p: string) => {
	try {
		return realpathSync(p);
	} catch {
		return path.resolve(p);
	}
};

/** `.port/trees/<sanitized branch>`: `feat/login` -> `.port/trees/feat-login`. */
export const worktreeDirFor = (repoRoot: string, branch: string) => path.join(treesDir(repoRoot), sanitizeName(branch));

export async function validateBranchName(branch: string, repoRoot: string, usage: string): Promise<void> {
	if (branch.trim() === '' || branch.startsWith('-')) throw new UsageError(`Invalid branch name "${branch}".`, usage);
	const check = await git(['check-ref-format', '--branch', branch], repoRoot);
	if (check.exitCode !== 0) throw new UsageError(`Invalid branch name "${branch}".`, usage);
}

const refExists = async (repoRoot: string, ref: string) => (await git(['show-ref', '--verify', '--quiet', ref], repoRoot)).exitCode === 0;

/** A local branch of that name exists. */
export const branchExists = (repoRoot: string, branch: string) => refExists(repoRoot, `refs/heads/${branch}`);

/**
 * The main checkout's worktree name is the repository's (`/x/app` -> `app`): a new worktree
 * `.port/trees/app` would share its hostname, Compose project and registry entry, so `port up`
 * or `port down` in one would act on the other. Refused (exit 4) with one line saying why.
 */
export function mainNameClash(repoRoot: string, branch: string): void {
	const main = sanitizeName(path.basename(repoRoot));
	if (sanitizeName(branch) !== main) return;
	throw new PortError(
		`Branch "${branch}" would get the worktree name "${main}", which is the main checkout's (the repository is ${path.basename(repoRoot)}): both would share one hostname, Compose project and registry entry; use another branch name, e.g. "${main}-2".`,
		ExitCode.conflict,
	);
}

/** A worktree elsewhere already has the name (its directory's): a new one would take it over. */
export function takenName(repoRoot: string, branch: string, dir: string): void {
	const holder = listWorktrees(repoRoot).find(w => !w.isMain && w.name === sanitizeName(branch) && w.path !== dir);
	if (!holder) return;
	throw new PortError(
		`Branch "${branch}" would get the worktree name "${holder.name}", which the worktree ${holder.path} already has: both would share one hostname, Compose project and registry entry; use another branch name, or move that worktree (git worktree move).`,
		ExitCode.conflict,
	);
}

export type EnterSource = 'existing' | 'local' | 'remote' | 'new';

export interface Entered {
	path: string;
	branch: string;
	source: EnterSource;
}

/**
 * The worktree of `branch`: the checkout that already has it, or a new one at
 * `.port/trees/<sanitized>` from the local branch, else from `origin/<branch>` (tracking),
 * else a new branch from HEAD.
 */
export async function enterWorktree(repoRoot: string, branch: string, usage: string): Promise<Entered> {
	await validateBranchName(branch, repoRoot, usage);
	let worktrees = await gitWorktrees(repoRoot);
	if (worktrees.some(w => w.prunable)) {
		await git(['worktree', 'prune'], repoRoot);
		worktrees = await gitWorktrees(repoRoot);
	}
	const checkedOut = worktrees.find(w => w.branch === branch);
	if (checkedOut) return {path: checkedOut.path, branch, source: 'existing'};

	mainNameClash(repoRoot, branch);
	const dir = worktreeDirFor(repoRoot, branch);
	takenName(repoRoot, branch, dir);
	if (existsSync(dir)) {
		const holder = worktrees.find(w => w.path === real(dir));
		const what = holder ? `is the worktree of ${holder.branch ? `branch "${holder.branch}"` : 'a detached HEAD'}` : 'exists and is not a git worktree';
		throw new PortError(`${path.relative(repoRoot, dir)} ${what}; cannot use it for branch "${branch}".`, ExitCode.conflict, holder ? 'Branch names that differ only in case or punctuation map to the same directory.' : `Move it away, or run 'git worktree prune'.`);
	}
	mkdirSync(treesDir(repoRoot), {recursive: true});
	let source: EnterSource;
	let args: string[];
	if (await refExists(repoRoot, `refs/heads/${branch}`)) {
		source = 'local';
		args = ['worktree', 'add', dir, branch];
	} else if (await refExists(repoRoot, `refs/remotes/origin/${branch}`)) {
		source = 'remote';
		args = ['worktree', 'add', '--track', '-b', branch, dir, `origin/${branch}`];
	} else {
		source = 'new';
		args = ['worktree', 'add', '-b', branch, dir, 'HEAD'];
	}
	await gitOk(args, repoRoot, `git worktree add ${path.relative(repoRoot, dir)}`);
	return {path: dir, branch, source};
}

/** Changes git would lose with the worktree: modified, staged and untracked (ignored files aside). */
export async function dirtyFiles(worktreePath: string): Promise<string[]> {
	const out = await gitOk(['status', '--porcelain', '--untracked-files=normal'], worktreePath, 'git status');
	return out.split('\n').filter(line => line.trim() !== '');
}

/** Removes the worktree (and our generated override first, so git sees no untracked file of ours). */
export async function removeWorktreeDir(repoRoot: string, worktreePath: string, force: boolean): Promise<void> {
	rmSync(path.join(worktreePath, '.port', 'override.yml'), {force: true});
	await gitOk(['worktree', 'remove', ...(force ? ['--force', '--force'] : []), worktreePath], repoRoot, 'git worktree remove');
}

export const archiveName = (branch: string, now = new Date()) => {
	const stamp = now.toISOString().replace(/\.\d+Z$/, '').replace(/[-:]/g, '').replace('T', '-');
	return `archive/${branch}-${stamp}`;
};

/** Renames `branch` to `archive/<branch>-<timestamp>` so its commits stay reachable. */
export async function archiveBranch(repoRoot: string, branch: string, now = new Date()): Promise<string> {
	let name = archiveName(branch, now);
	for (let n = 2; await refExists(repoRoot, `refs/heads/${name}`); n++) name = `${archiveName(branch, now)}-${n}`;
	await gitOk(['branch', '-m', branch, name], repoRoot, `git branch -m ${branch}`);
	return name;
}
