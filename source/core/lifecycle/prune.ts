import {ExitCode, PortError} from '../errors.js';
import {listWorktrees, type WorktreeInfo} from '../git/project.js';
import {dirtyFiles, git} from '../git/worktrees.js';

export interface PrunePlan {
	base: string;
	/** Worktrees to remove, with why (merged into the base, or its upstream is gone). */
	remove: Array<{worktree: WorktreeInfo; why: string}>;
	/** Merged or gone, but kept: no commits yet, uncommitted changes, or the worktree the command runs in. */
	skipped: Array<{worktree: WorktreeInfo; why: string}>;
}

const lines = (text: string) => text.split('\n').map(l => l.trim()).filter(Boolean);

/**
 * True when nothing was ever committed on the branch: its reflog holds only its creation (and
 * renames). Such a branch is "merged" only because it points into the base: a fresh worktree.
 * No reflog (core.logAllRefUpdates off) says nothing, so false.
 */
async function neverCommitted(repoRoot: string, branch: string): Promise<boolean> {
	const log = await git(['reflog', 'show', '--format=%gs', `refs/heads/${branch}`, '--'], repoRoot);
	if (log.exitCode !== 0) return false;
	const entries = lines(log.stdout).filter(l => !l.startsWith('Branch: renamed '));
	return entries.length === 1 && entries[0]!.startsWith('branch: Created from ');
}

/** How many commits `branch` has that `base` does not. */
export async function commitsNotIn(repoRoot: string, base: string, branch: string): Promise<number> {
	const count = await git(['rev-list', '--count', `${base}..${branch}`, '--'], repoRoot);
	// A failure must not read as "nothing unmerged": cleanup would delete on it.
	if (count.exitCode !== 0) throw new PortError(`git rev-list ${base}..${branch} failed: ${count.stderr.trim()}`, ExitCode.failure);
	return Number(count.stdout.trim());
}

/**
 * Which linked worktrees `port prune` removes: those whose branch `git branch --merged <base>`
 * lists, or whose upstream is gone (`[gone]`: merged and deleted on the remote, squash merges
 * included; commits the base lacks are named in `why`, and stay on the archive branch). A branch
 * never committed to (a fresh worktree) is skipped. The base defaults to the main checkout's branch.
 */
export async function planPrune(repoRoot: string, currentPath: string, baseFlag: string | undefined): Promise<PrunePlan> {
	const trees = listWorktrees(repoRoot);
	const base = baseFlag ?? trees[0]?.branch;
	if (!base) throw new PortError('The main checkout has a detached HEAD: say which branch worktrees are merged into with --base <branch>.', ExitCode.usage);
	if ((await git(['rev-parse', '--verify', '--quiet', `${base}^{commit}`], repoRoot)).exitCode !== 0) {
		throw new PortError(`Unknown base "${base}": no branch or commit of that name.`, ExitCode.usage, 'Use --base <branch>.');
	}
	const merged = new Set(lines((await git(['branch', '--format=%(refname:short)', '--merged', base], repoRoot)).stdout));
	const gone = new Set(
		lines((await git(['for-each-ref', '--format=%(refname:short) %(upstream:track)', 'refs/heads'], repoRoot)).stdout)
			.filter(l => l.endsWith(' [gone]'))
			.map(l => l.slice(0, -' [gone]'.length)),
	);
	const plan: PrunePlan = {base, remove: [], skipped: []};
	for (const worktree of trees) {
		const branch = worktree.branch;
		if (worktree.isMain || !branch || branch === base) continue;
		let why = merged.has(branch) ? `merged into ${base}` : gone.has(branch) ? 'its upstream is gone' : undefined;
		if (!why) continue;
		if (!gone.has(branch) && (await neverCommitted(repoRoot, branch))) {
			plan.skipped.push({worktree, why: 'no commits yet'});
			continue;
		}
		if (!merged.has(branch)) {
			// Squash-merged upstream, or deleted unmerged: the archive branch keeps what the base lacks.
			const ahead = await commitsNotIn(repoRoot, base, branch);
			if (ahead > 0) why = `upstream gone; ${ahead} commit(s) not in ${base}, kept as archive/${branch}-<time>`;
		}
		if (worktree.path === currentPath) {
			plan.skipped.push({worktree, why: `${why}, but you are inside it`});
			continue;
		}
		const dirty = await dirtyFiles(worktree.path);
		if (dirty.length > 0) plan.skipped.push({worktree, why: `${why}, but it has ${dirty.length} uncommitted or untracked change(s)`});
		else plan.remove.push({worktree, why});
	}
	return plan;
}
