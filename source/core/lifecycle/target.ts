import {listWorktrees, type Project} from '../git/project.js';
import type {HookTarget} from './hooks.js';

/** The hook target (paths, branch, domain) of the worktree a command runs in. */
export function hookTargetOf(project: Project): HookTarget {
	const branch = listWorktrees(project.repoRoot).find(w => w.path === project.worktreePath)?.branch;
	return {repoRoot: project.repoRoot, worktreePath: project.worktreePath, worktree: project.worktree, branch, domain: project.config.domain};
}
