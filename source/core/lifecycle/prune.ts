import {ExitCode, PortError} from '../errors.js';
import {listWorktrees, type WorktreeInfo} from '../git/project.js';
import {dirtyFiles, git} from '../git/worktrees.js';

export interface PrunePlan {
	base: string;
	/** Worktrees to remove, with why (merged into the base, or its upstream is gone). */
	remove: Array<{worktree: WorktreeInfo; why: string}>;
	/** Merged or gone, but kept: uncommitted changes, or the worktree the command runs in. */
	skipped: Array<{worktree: WorktreeInfo; why: string}>;
}

const lines = (text: string) => text.split('\n').map(l => l.trim()).filter(Boolean);

/**
 * Which linked worktrees `port prune` removes: those whose branch `git branch --merged <base>`
 * lists, or whose upstream is gone (`[gone]`: merged and deleted on the remote, squash merges
 * included). The base defaults to the main checkout's branch.
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
		const why = merged.has(branch) ? `merged into ${base}` : gone.has(branch) ? 'its upstream is gone' : undefined;
		if (!why) continue;
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
