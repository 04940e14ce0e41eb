import {existsSync, readFileSync, readdirSync, statSync} from 'node:fs';
import path from 'node:path';
import {loadConfig, type ProjectConfig} from './config.js';
import {notInProject} from './errors.js';
import {sanitizeName} from './names.js';
import {treesDir} from './paths.js';

export interface Project {
	/** Absolute path of the main checkout. */
	repoRoot: string;
	/** Absolute path of the checkout we are in (main or `.port/trees/<name>`). */
	worktreePath: string;
	/** Sanitized worktree name; the main checkout uses the repository's name. */
	worktree: string;
	isMain: boolean;
	config: ProjectConfig;
	/** True once `port init` created `.port/config.jsonc`. */
	initialized: boolean;
}

/**
 * Finds the repository from a directory using the file system only (no `git` spawn: this runs
 * at the start of every command). A linked worktree's `.git` is a file pointing into the main
 * repository's `.git/worktrees/<id>`, whose `commondir` leads back to the main `.git`.
 */
export function findRepoRoot(from: string): string | undefined {
	let dir = path.resolve(from);
	for (;;) {
		const dotGit = path.join(dir, '.git');
		let stats;
		try {
			stats = statSync(dotGit);
		} catch {
			stats = undefined;
		}
		if (stats?.isDirectory()) return dir;
		if (stats?.isFile()) return mainRootFromGitFile(dotGit) ?? dir;
		const parent = path.dirname(dir);
		if (parent === dir) return undefined;
		dir = parent;
	}
}

function mainRootFromGitFile(gitFile: string): string | undefined {
	const match = /^gitdir:\s*(.+)$/m.exec(readFileSync(gitFile, 'utf8'));
	if (!match?.[1]) return undefined;
	const gitDir = path.resolve(path.dirname(gitFile), match[1].trim());
	let commonDir = gitDir;
	try {
		commonDir = path.resolve(gitDir, readFileSync(path.join(gitDir, 'commondir'), 'utf8').trim());
	} catch {
		return undefined;
	}
	return path.basename(commonDir) === '.git' ? path.dirname(commonDir) : undefined;
}

/** Detects repository, worktree and config; undefined outside a git repository. */
export function detectProject(cwd = process.cwd()): Project | undefined {
	const repoRoot = findRepoRoot(cwd);
	if (!repoRoot) return undefined;
	const {config, exists} = loadConfig(repoRoot);
	const trees = treesDir(repoRoot) + path.sep;
	const here = path.resolve(cwd) + path.sep;
	if (here.startsWith(trees)) {
		const dirName = here.slice(trees.length).split(path.sep)[0]!;
		return {
			repoRoot,
			worktreePath: path.join(treesDir(repoRoot), dirName),
			worktree: sanitizeName(dirName),
			isMain: false,
			config,
			initialized: exists,
		};
	}
	return {repoRoot, worktreePath: repoRoot, worktree: sanitizeName(path.basename(repoRoot)), isMain: true, config, initialized: exists};
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

/** The main checkout and every `.port/trees/<name>` that is a git worktree, read from disk. */
export function listWorktrees(repoRoot: string): WorktreeInfo[] {
	const result: WorktreeInfo[] = [
		{name: sanitizeName(path.basename(repoRoot)), path: repoRoot, branch: headBranch(path.join(repoRoot, '.git')), isMain: true},
	];
	let entries: string[] = [];
	try {
		entries = readdirSync(treesDir(repoRoot)).sort();
	} catch {
		return result;
	}
	for (const entry of entries) {
		const dir = path.join(treesDir(repoRoot), entry);
		const gitFile = path.join(dir, '.git');
		if (!existsSync(gitFile)) continue;
		let gitDir: string | undefined;
		try {
			const match = /^gitdir:\s*(.+)$/m.exec(readFileSync(gitFile, 'utf8'));
			gitDir = match?.[1] ? path.resolve(dir, match[1].trim()) : undefined;
		} catch {
			gitDir = undefined;
		}
		result.push({name: sanitizeName(entry), path: dir, branch: gitDir ? headBranch(gitDir) : undefined, isMain: false});
	}
	return result;
}

function headBranch(gitDir: string): string | undefined {
	try {
		const head = readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
		return head.startsWith('ref: refs/heads/') ? head.slice('ref: refs/heads/'.length) : undefined;
	} catch {
		return undefined;
	}
}


