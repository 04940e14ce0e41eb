import type {HostService, ProjectEntry, Registry} from '../registry/registry.js';
import {isStale} from '../supervise/stale.js';
import {composeProjectName, type WorktreeOf} from './names.js';

/** What the registry holds for one worktree: its `port up` entry and its host services. */

export const isEntryOf = (p: ProjectEntry, ctx: WorktreeOf) => p.repo === ctx.repoRoot && p.worktree === ctx.worktree;

export const findProjectEntry = (registry: Registry, ctx: WorktreeOf) => registry.projects.find(p => isEntryOf(p, ctx));

/** The Compose project name of a worktree: the registered one if `port up` ran, else the one `port up` would use. */
export const composeProjectInUse = (registry: Registry, repoRoot: string, worktree: string): string =>
	findProjectEntry(registry, {repoRoot, worktree})?.composeProject ?? composeProjectName(repoRoot, worktree);

/** Live host services (`port run`) of one worktree. */
export const hostServicesOf = (registry: Registry, repo: string, worktree: string): HostService[] =>
	registry.hostServices.filter(s => s.repo === repo && s.branch === worktree && !isStale(s));
