import {existsSync} from 'node:fs';
import path from 'node:path';
import {composeContext} from '../compose/context.js';
import {findProjectEntry, hostServicesOf} from '../compose/registered.js';
import {composeDown} from '../compose/up-down.js';
import {dockerAvailability} from '../docker/cli.js';
import {serviceLabel} from '../supervise/conflicts.js';
import {stopHostService} from '../supervise/control.js';
import type {Project, WorktreeInfo} from '../git/project.js';
import {hostnameFor} from '../names.js';
import {syncHosts} from '../dns/hosts-sync.js';
import {readRegistry} from '../registry/registry.js';
import {warn} from '../warnings.js';
import {archiveBranch, removeWorktreeDir} from '../git/worktrees.js';

/**
 * Stops a worktree's Compose project (when registered, or when Docker can tell) and its host
 * services; says what it stopped through `say`. Shared by remove, prune and rename.
 */
export async function stopWorktreeServices(project: Project, worktree: Pick<WorktreeInfo, 'name' | 'path'>, say: (line: string) => void): Promise<void> {
	const ctx = composeContext({...project, worktree: worktree.name, worktreePath: worktree.path});
	const registered = findProjectEntry(readRegistry(), ctx) !== undefined;
	// No engine or no Compose plugin: a worktree `port up` never registered has nothing to stop.
	if (registered || (await dockerAvailability()).ok) {
		if ((await composeDown(ctx)).ran) say(`stopped compose project ${ctx.name}`);
	}
	for (const s of hostServicesOf(readRegistry(), project.repoRoot, worktree.name)) {
		await stopHostService(s);
		say(`stopped host service ${serviceLabel(s)} (pid ${s.pid})`);
	}
}

/** Stops its services, removes the worktree and archives (or keeps) its branch; one line per step through `say`. */
export async function removeWorktree(project: Project, worktree: WorktreeInfo, options: {force: boolean; keepBranch: boolean}, say: (line: string) => void): Promise<void> {
	await stopWorktreeServices(project, worktree, say);
	await removeWorktreeDir(project.repoRoot, worktree.path, options.force);
	say(`removed worktree ${worktree.path.startsWith(project.repoRoot + path.sep) ? path.relative(project.repoRoot, worktree.path) : worktree.path}`);
	syncHosts({remove: [hostnameFor(worktree.name, project.config.domain)]});
	if (existsSync(worktree.path)) warn(`${worktree.path} still exists (files git does not track were left).`);
	if (!worktree.branch) {
		say('(detached HEAD: no branch to archive)');
	} else if (options.keepBranch) {
		say(`kept branch ${worktree.branch}`);
	} else {
		const archived = await archiveBranch(project.repoRoot, worktree.branch);
		say(`branch ${worktree.branch} archived as ${archived}`);
	}
}
