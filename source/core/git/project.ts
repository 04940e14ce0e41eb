import {readFileSync} from 'node:fs';
import path from 'node:path';
import {loadConfig, type ProjectConfig} from './config.js';
import {ExitCode, PortError, notInProject} from '../errors.js';
import {linkedWorktrees, locateCheckout} from './layout.js';
import {sanitizeName} from '../names.js';
import {treesDir} from '../paths.js';

export interface Project {
	/** Absolute path of the main checkout. */
	repoRoot: string;
	/** Absolute path of the checkout we are in: main, `.port/trees/<name>` or a worktree anywhere else. */
	worktreePath: string;
	/** Sanitized directory name of the checkout; the main checkout's is the repository's name. */
	worktree: string;
	isMain: boolean;
	config: ProjectConfig;
	/** True once `port init` created `.port/config.jsonc`. */
	initialized: boolean;
}

/** The main checkout of the repository `from` is in (see locateCheckout for refused layouts). */
export const findRepoRoot = (from: string): string | undefined => locateCheckout(from)?.repoRoot;

/**
 * Detects repository, worktree and config; undefined outside a git repository. The worktree is
 * the checkout holding the nearest `.git`, wherever it lives, named by its directory. A linked
 * worktree whose name another checkout takes first is refused (exit 4) unless `allowNameClash`.
 */
export function detectProject(cwd = process.cwd(), options: {allowNameClash?: boolean} = {}): Project | undefined {
	const checkout = locateCheckout(cwd);
	if (!checkout) return undefined;
	const {repoRoot, worktreePath, isMain} = checkout;
	const {config, exists} = loadConfig(repoRoot);
	const worktree = sanitizeName(path.basename(worktreePath));
	if (!isMain && !options.allowNameClash) {
		const other = nameClash(repoRoot, listWorktrees(repoRoot), {name: worktree, path: worktreePath, isMain});
		if (other) throw nameClashError(worktreePath, worktree, other);
	}
	return {repoRoot, worktreePath, worktree, isMain, config, initialized: exists};
}

/** For commands other than `port run`: a project must exist and be initialised. */
export function requireProject(cwd = process.cwd()): Project {
	const project = detectProject(cwd);
	if (!project?.initialized) throw notInProject();
	return project;
}

export interface WorktreeInfo {
	name: string;
	path: string;
	branch: string | undefined;
	isMain: boolean;
}

/** The main checkout first, then every linked worktree wherever it lives, by name. */
export function listWorktrees(repoRoot: string): WorktreeInfo[] {
	const linked = linkedWorktrees(repoRoot)
		.map(w => ({name: sanitizeName(path.basename(w.path)), path: w.path, branch: headBranch(w.gitDir), isMain: false}))
		.sort((a, b) => byCodeUnit(a.name, b.name) || byCodeUnit(a.path, b.path));
	return [{name: sanitizeName(path.basename(repoRoot)), path: repoRoot, branch: headBranch(path.join(repoRoot, '.git')), isMain: true}, ...linked];
}

/** Plain code-unit order: localeCompare would load ICU's collator (start-up time). */
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Who keeps a shared name: the main checkout, then a worktree port made in .port/trees/, then nobody. */
const precedence = (repoRoot: string, w: Pick<WorktreeInfo, 'path' | 'isMain'>) => (w.isMain ? 0 : path.dirname(w.path) === treesDir(repoRoot) ? 1 : 2);

/**
 * Worktrees are named by their directory, so `../a/x` and `../b/x` would both be `x` and share
 * one hostname, Compose project and host services. Rather than rename one behind the user's back
 * (its running services would no longer be found), the checkout that does not keep the name is
 * refused: returns the checkout that takes the name first (or ties), undefined when none does.
 */
export function nameClash(repoRoot: string, worktrees: WorktreeInfo[], self: Pick<WorktreeInfo, 'name' | 'path' | 'isMain'>): WorktreeInfo | undefined {
	const rank = precedence(repoRoot, self);
	return worktrees.find(w => w.name === self.name && w.path !== self.path && precedence(repoRoot, w) <= rank);
}

export const nameClashError = (worktreePath: string, name: string, other: WorktreeInfo) =>
	new PortError(
		`The worktree ${worktreePath} would be named "${name}", like ${other.isMain ? 'the main checkout' : 'the worktree'} ${other.path}: they would share one hostname, Compose project and host services.`,
		ExitCode.conflict,
		`Give it another directory name: git worktree move ${worktreePath} <new-path>`,
	);

function headBranch(gitDir: string): string | undefined {
	try {
		const head = readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
		return head.startsWith('ref: refs/heads/') ? head.slice('ref: refs/heads/'.length) : undefined;
	} catch {
		return undefined;
	}
}


