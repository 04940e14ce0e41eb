import {existsSync} from 'node:fs';
import path from 'node:path';
import {ExitCode, PortError} from '../core/errors.js';
import {composeContext} from '../core/compose/context.js';
import {findProjectEntry, hostServicesOf} from '../core/compose/registered.js';
import {composeDown} from '../core/compose/up-down.js';
import {stopTraefikIfUnused} from '../core/traefik/container.js';
import {dockerAvailability} from '../core/docker/cli.js';
import {serviceLabel} from '../core/supervise/conflicts.js';
import {stopHostService} from '../core/supervise/control.js';
import {listWorktrees, requireProject} from '../core/git/project.js';
import {hostnameFor, sanitizeName} from '../core/names.js';
import {syncHosts} from '../core/dns/hosts-sync.js';
import {readRegistry} from '../core/registry/registry.js';
import {cleanupStale} from '../core/supervise/stale.js';
import {warn} from '../core/warnings.js';
import {archiveBranch, dirtyFiles, removeWorktreeDir, worktreeDirFor} from '../core/git/worktrees.js';
import {parseCommand, positionals} from './parse.js';

export const spec = {
	name: 'remove',
	usage: 'port remove <branch> [--force] [--keep-branch]',
	help: `
  Stops the worktree's Compose services and host services, removes the worktree
  (.port/trees/<name>, or a worktree of <branch> elsewhere) and renames its branch to archive/<branch>-<timestamp> so no commit
  is lost. Refuses a worktree with uncommitted or untracked changes unless --force.

  Options
    --force         Remove even with uncommitted changes (they are lost)
    --keep-branch   Keep the branch name as it is (do not archive it)
`,
	flags: {force: {type: 'boolean', default: false}, keepBranch: {type: 'boolean', default: false}},
} as const;

export default async function remove(argv: string[]): Promise<number> {
	const cli = await parseCommand(spec, argv);
	const [branchArg] = positionals(spec, cli.input, 1, 'Missing <branch>.') as [string];
	const project = requireProject();
	cleanupStale();

	const dir = worktreeDirFor(project.repoRoot, branchArg);
	const trees = listWorktrees(project.repoRoot);
	const linked = trees.filter(w => !w.isMain);
	// Port's own .port/trees/<name> first, then a worktree anywhere with that branch, then by name.
	const byName = linked.filter(w => w.name === sanitizeName(branchArg));
	const worktree = linked.find(w => w.path === dir) ?? linked.find(w => w.branch === branchArg) ?? (byName.length === 1 ? byName[0] : undefined);
	if (!worktree) {
		if (branchArg === path.basename(project.repoRoot) || trees[0]?.branch === branchArg) {
			throw new PortError(`"${branchArg}" is the main checkout; port remove only removes linked worktrees.`, ExitCode.usage);
		}
		throw new PortError(`No worktree for "${branchArg}" (no linked worktree has that branch or name).`, ExitCode.failure, "Run 'port list' to see the worktrees.");
	}
	if (project.worktreePath === worktree.path) {
		process.stderr.write(`port: note: you are inside ${worktree.name}; your shell will be left in a removed directory\n`);
	}
	if (!cli.flags.force) {
		const dirty = await dirtyFiles(worktree.path);
		if (dirty.length > 0) {
			throw new PortError(
				`Worktree ${worktree.name} has ${dirty.length} uncommitted or untracked change(s) (e.g. ${dirty[0]!.slice(3)}).`,
				ExitCode.conflict,
				'Commit or stash them, or use --force to discard them.',
			);
		}
	}

	const ctx = composeContext({...project, worktree: worktree.name, worktreePath: worktree.path});
	const registered = findProjectEntry(readRegistry(), ctx) !== undefined;
	// No engine or no Compose plugin: a worktree `port up` never registered has nothing to stop.
	if (registered || (await dockerAvailability()).ok) {
		if ((await composeDown(ctx)).ran) process.stdout.write(`stopped compose project ${ctx.name}\n`);
	}
	for (const s of hostServicesOf(readRegistry(), project.repoRoot, worktree.name)) {
		await stopHostService(s);
		process.stdout.write(`stopped host service ${serviceLabel(s)} (pid ${s.pid})\n`);
	}
	await removeWorktreeDir(project.repoRoot, worktree.path, cli.flags.force);
	process.stdout.write(`removed worktree ${worktree.path.startsWith(project.repoRoot + path.sep) ? path.relative(project.repoRoot, worktree.path) : worktree.path}\n`);
	syncHosts({remove: [hostnameFor(worktree.name, project.config.domain)]});
	if (existsSync(worktree.path)) warn(`${worktree.path} still exists (files git does not track were left).`);

	if (!worktree.branch) {
		process.stdout.write('(detached HEAD: no branch to archive)\n');
	} else if (cli.flags.keepBranch) {
		process.stdout.write(`kept branch ${worktree.branch}\n`);
	} else {
		const archived = await archiveBranch(project.repoRoot, worktree.branch);
		process.stdout.write(`branch ${worktree.branch} archived as ${archived}\n`);
	}
	try {
		await stopTraefikIfUnused();
	} catch (error) {
		warn(`could not stop Traefik: ${(error as Error).message}`);
	}
	return ExitCode.ok;
}
