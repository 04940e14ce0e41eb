import {readdirSync, statSync} from 'node:fs';
import path from 'node:path';
import {ExitCode, PortError} from '../errors.js';
import {readTextIfExists} from '../read-text.js';

/**
 * Where a checkout sits in its repository, read from the file system only: this runs at the
 * start of every command, and spawning git would cost more than the rest of start-up.
 * A linked worktree's `.git` is a file `gitdir: <main>/.git/worktrees/<id>`, whose `commondir`
 * leads back to the main `.git`; the worktree itself may live anywhere (`git worktree add ../x`).
 */
export interface Checkout {
	/** The main checkout (its `.port/` holds the config and `.port/trees/`). */
	repoRoot: string;
	/** The checkout we are in: the directory holding the `.git` found walking up. */
	worktreePath: string;
	isMain: boolean;
}

/** A linked worktree as git records it in `<main>/.git/worktrees/<id>`. */
export interface LinkedWorktree {
	path: string;
	gitDir: string;
}

const unsupported = (message: string) => new PortError(message, ExitCode.config);


const kindOf = (file: string) => {
	try {
		const stats = statSync(file);
		return stats.isDirectory() ? 'dir' : stats.isFile() ? 'file' : undefined;
	} catch {
		return undefined;
	}
};

/** `core.bare = true` (git's booleans: true/yes/on/1) in a git directory's config. */
export const isBareGitDir = (gitDir: string) => /^\s*bare\s*=\s*(true|yes|on|1)\s*$/im.test(readTextIfExists(path.join(gitDir, 'config')) ?? '');

/** Git keeps a submodule's repository under the superproject's `.git/modules/<name>`. */
const isSubmoduleGitDir = (gitDir: string) => gitDir.includes(`${path.sep}.git${path.sep}modules${path.sep}`);

/**
 * The checkout `from` is in; undefined outside any repository. Throws (exit 3) for layouts
 * port refuses: a bare repository or a worktree of one, a `--separate-git-dir` checkout and a
 * submodule checkout (and their worktrees): port keeps `.port/` in a main checkout, so there
 * would be nowhere (or the wrong place) to keep it. Nothing is written before this runs.
 */
export function locateCheckout(from: string): Checkout | undefined {
	let dir = path.resolve(from);
	for (;;) {
		const dotGit = path.join(dir, '.git');
		const kind = kindOf(dotGit);
		if (kind === 'dir') {
			if (isBareGitDir(dotGit)) throw unsupported(`${dotGit} is a bare repository (core.bare = true): port needs a main checkout; clone the repository without --bare.`);
			return {repoRoot: dir, worktreePath: dir, isMain: true};
		}
		if (kind === 'file') return linkedCheckout(dir, dotGit);
		const parent = path.dirname(dir);
		if (parent === dir) return refuseBareAround(from);
		dir = parent;
	}
}

function linkedCheckout(dir: string, dotGit: string): Checkout {
	const match = /^gitdir:\s*(.+)$/m.exec(readTextIfExists(dotGit) ?? '');
	if (!match?.[1]) throw unsupported(`${dotGit} is a file but not a git link ("gitdir: <path>"): not a checkout port can use.`);
	const gitDir = path.resolve(dir, match[1].trim());
	const commonLink = readTextIfExists(path.join(gitDir, 'commondir'));
	if (commonLink === undefined) {
		// A checkout whose git directory is elsewhere but not a worktree's: a submodule or --separate-git-dir.
		if (isSubmoduleGitDir(gitDir)) throw unsupported(`${dir} is a git submodule checkout: not supported; run port in the superproject or in a standalone clone.`);
		throw unsupported(`${dir} keeps its git directory elsewhere (${gitDir}, as git init/clone --separate-git-dir does): not supported; use a clone whose .git is a directory.`);
	}
	const commonDir = path.resolve(gitDir, commonLink.trim());
	if (isBareGitDir(commonDir)) throw unsupported(`${dir} is a worktree of the bare repository ${commonDir}: not supported; port needs a main checkout (clone without --bare).`);
	if (path.basename(commonDir) !== '.git') {
		if (isSubmoduleGitDir(commonDir)) throw unsupported(`${dir} is a worktree of a git submodule (${commonDir}): not supported; run port in the superproject or in a standalone clone.`);
		throw unsupported(`${dir} is a worktree of a repository whose git directory is elsewhere (${commonDir}, --separate-git-dir): not supported.`);
	}
	return {repoRoot: path.dirname(commonDir), worktreePath: recordedPath(gitDir, dotGit) ?? dir, isMain: false};
}

/**
 * The worktree's path as git recorded it, when it reaches our `.git` by another spelling (a
 * symlink): listWorktrees reports git's record, and `current` compares paths.
 */
function recordedPath(gitDir: string, dotGit: string): string | undefined {
	const link = readTextIfExists(path.join(gitDir, 'gitdir'))?.trim();
	if (!link) return undefined;
	const recorded = path.resolve(gitDir, link);
	if (recorded === dotGit) return undefined;
	try {
		const [a, b] = [statSync(recorded), statSync(dotGit)];
		return a.ino === b.ino && a.dev === b.dev ? path.dirname(recorded) : undefined;
	} catch {
		return undefined;
	}
}

/** No `.git` above `from`: maybe we are inside a bare repository (checked only now: start-up). */
function refuseBareAround(from: string): undefined {
	for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
		if (kindOf(path.join(dir, 'HEAD')) === 'file' && isBareGitDir(dir)) {
			throw unsupported(`${dir} is a bare repository: port needs a main checkout; clone the repository without --bare.`);
		}
		if (path.dirname(dir) === dir) return undefined;
	}
}

/**
 * Every linked worktree of the repository at `repoRoot`, wherever it lives, from
 * `.git/worktrees/<id>/gitdir` (the path of the worktree's `.git` file). A worktree whose
 * directory is gone (git calls it prunable) is left out.
 */
export function linkedWorktrees(repoRoot: string): LinkedWorktree[] {
	const adminRoot = path.join(repoRoot, '.git', 'worktrees');
	let ids: string[];
	try {
		ids = readdirSync(adminRoot);
	} catch {
		return [];
	}
	const result: LinkedWorktree[] = [];
	for (const id of ids) {
		const gitDir = path.join(adminRoot, id);
		const link = readTextIfExists(path.join(gitDir, 'gitdir'))?.trim();
		if (!link) continue;
		const dotGit = path.resolve(gitDir, link);
		if (kindOf(dotGit) !== 'file') continue;
		result.push({path: path.dirname(dotGit), gitDir});
	}
	return result;
}
