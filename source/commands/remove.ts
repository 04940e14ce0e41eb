import path from 'node:path';
import {cdShellTo, shellHookActive} from './cd-file.js';
import {ExitCode, PortError, UsageError} from '../core/errors.js';
import {stopTraefikIfUnusedOrWarn} from '../core/traefik/container.js';
import {listWorktrees, requireProject, type WorktreeInfo} from '../core/git/project.js';
import {sanitizeName} from '../core/names.js';
import {cleanupStale} from '../core/supervise/stale.js';
import {dirtyFiles, worktreeDirFor} from '../core/git/worktrees.js';
import {removeWorktree} from '../core/lifecycle/remove.js';
import {parseCommand, positionals} from './parse.js';
import {confirm} from './prompt.js';

export const spec = {
	name: 'remove',
	usage: 'port remove [<branch>] [--force] [--keep-branch] [--yes]   (alias: rm)',
	help: `
  Stops the worktree's Compose services and host services, removes the worktree
  (.port/trees/<name>, or a worktree of <branch> elsewhere) and renames its branch to archive/<branch>-<timestamp> so no commit
  is lost. Refuses a worktree with uncommitted or untracked changes unless --force.
  Compose's down runs without -v: named volumes stay (docker volume ls / docker volume rm).

  Without <branch> it removes the worktree you are in, after asking in a terminal (without a
  terminal it needs --yes); with the shell hook your shell then returns to the repository root.

  Options
    --force         Remove even with uncommitted changes (they are lost)
    --keep-branch   Keep the branch name as it is (do not archive it)
    --yes           Do not ask (port remove without <branch>)
`,
	flags: {force: {type: 'boolean', default: false}, keepBranch: {type: 'boolean', default: false}, yes: {type: 'boolean', default: false}},
} as const;

/** The linked worktree `branchArg` names: .port/trees/<name> first, then a worktree anywhere with that branch, then by name. */
function findWorktree(repoRoot: string, branchArg: string): WorktreeInfo {
	const trees = listWorktrees(repoRoot);
	const linked = trees.filter(w => !w.isMain);
	const dir = worktreeDirFor(repoRoot, branchArg);
	const byName = linked.filter(w => w.name === sanitizeName(branchArg));
	const worktree = linked.find(w => w.path === dir) ?? linked.find(w => w.branch === branchArg) ?? (byName.length === 1 ? byName[0] : undefined);
	if (worktree) return worktree;
	if (branchArg === path.basename(repoRoot) || trees[0]?.branch === branchArg) {
		throw new PortError(`"${branchArg}" is the main checkout; port remove only removes linked worktrees.`, ExitCode.usage);
	}
	throw new PortError(`No worktree for "${branchArg}" (no linked worktree has that branch or name).`, ExitCode.failure, "Run 'port list' to see the worktrees.");
}

export default async function remove(argv: string[]): Promise<number> {
	const cli = await parseCommand(spec, argv);
	const [branchArg] = positionals(spec, cli.input, 1);
	const project = requireProject();
	cleanupStale();

	let worktree: WorktreeInfo;
	if (branchArg === undefined) {
		if (project.isMain) throw new UsageError('Missing <branch>: you are in the main checkout, which port remove does not remove.', `Usage: ${spec.usage}`);
		worktree = listWorktrees(project.repoRoot).find(w => w.path === project.worktreePath)!;
	} else {
		worktree = findWorktree(project.repoRoot, branchArg);
	}
	const inside = project.worktreePath === worktree.path;
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
	if (branchArg === undefined && !cli.flags.yes) {
		if (!process.stdin.isTTY) throw new UsageError(`port remove without <branch> removes this worktree (${worktree.name}): confirm with --yes (no terminal to ask).`, `Usage: ${spec.usage}`);
		if (!(await confirm(`Remove this worktree ${worktree.name} (${worktree.branch ?? 'detached'})? [y/N] `))) {
			process.stderr.write('port: not removed\n');
			return ExitCode.failure;
		}
	}
	if (inside && !shellHookActive()) process.stderr.write(`port: note: you are inside ${worktree.name}; your shell will be left in a removed directory\n`);

	await removeWorktree(project, worktree, {force: cli.flags.force, keepBranch: cli.flags.keepBranch}, line => process.stdout.write(`${line}\n`));
	// The shell hook (PORT_CD_FILE) takes the shell out of the removed directory.
	if (inside) cdShellTo(project.repoRoot);
	await stopTraefikIfUnusedOrWarn();
	return ExitCode.ok;
}
