import {existsSync} from 'node:fs';
import path from 'node:path';
import {cdShellTo, shellQuote} from './cd-file.js';
import {ExitCode, PortError, UsageError} from '../core/errors.js';
import {composeContext} from '../core/compose/context.js';
import {findProjectEntry, hostServicesOf} from '../core/compose/registered.js';
import {stopTraefikIfUnusedOrWarn} from '../core/traefik/container.js';
import {listWorktrees, requireProject} from '../core/git/project.js';
import {branchExists, git, mainNameClash, takenName, validateBranchName} from '../core/git/worktrees.js';
import {syncHosts} from '../core/dns/hosts-sync.js';
import {hostnameFor, sanitizeName} from '../core/names.js';
import {readRegistry} from '../core/registry/registry.js';
import {serviceLabel} from '../core/supervise/conflicts.js';
import {cleanupStale} from '../core/supervise/stale.js';
import {warn} from '../core/warnings.js';
import {stopWorktreeServices} from '../core/lifecycle/remove.js';
import {composeProjectVolumes} from '../core/lifecycle/volumes.js';
import {parseCommand, positionals} from './parse.js';

export const spec = {
	name: 'rename',
	usage: 'port rename <new-branch> [--yes]   (alias: mv)',
	help: `
  Renames the branch of the worktree you are in to <new-branch> and moves its directory to
  match (.port/trees/feat-old -> .port/trees/<new>; a worktree elsewhere keeps its parent
  directory). Its hostname becomes <new>.<domain>. Refused (exit 4) while its Compose or
  host services run, since they are routed under the old name; --yes stops them first
  (start them again with port up / port run). With the shell hook your shell follows.
  The Compose project name changes with it: named volumes of the old project are not used
  by the new one (a warning lists them; they stay until you remove them).

  Options
    --yes   Stop this worktree's running services instead of refusing
`,
	flags: {yes: {type: 'boolean', default: false}},
} as const;

export default async function rename(argv: string[]): Promise<number> {
	const cli = await parseCommand(spec, argv);
	const [next] = positionals(spec, cli.input, 1, 'Missing <new-branch>.') as [string];
	const usage = `Usage: ${spec.usage}`;
	const project = requireProject();
	cleanupStale();
	if (project.isMain) throw new UsageError('You are in the main checkout: port rename renames the linked worktree you are in.', usage);
	const current = listWorktrees(project.repoRoot).find(w => w.path === project.worktreePath);
	if (!current?.branch) throw new PortError(`Worktree ${project.worktree} has a detached HEAD: no branch to rename.`, ExitCode.failure);
	const old = current.branch;
	await validateBranchName(next, project.repoRoot, usage);
	if (next === old) throw new UsageError(`The branch is already called "${next}".`, usage);
	if (await branchExists(project.repoRoot, next)) throw new PortError(`A branch "${next}" already exists.`, ExitCode.conflict, 'Pick another name, or remove that branch first.');
	const dir = path.join(path.dirname(current.path), sanitizeName(next));
	mainNameClash(project.repoRoot, next);
	takenName(project.repoRoot, next, dir);
	if (dir !== current.path && existsSync(dir)) throw new PortError(`${dir} already exists.`, ExitCode.conflict, 'Move it away, or pick another name.');

	const registry = readRegistry();
	const running = [
		...(findProjectEntry(registry, composeContext(project)) ? [`compose project ${composeContext(project).name}`] : []),
		...hostServicesOf(registry, project.repoRoot, project.worktree).map(s => `host service ${serviceLabel(s)}`),
	];
	if (running.length > 0) {
		if (!cli.flags.yes) throw new PortError(`${project.worktree} has running services (${running.join(', ')}), routed under its current name.`, ExitCode.conflict, "Stop them with 'port down --yes', or rename with --yes to stop them.");
		await stopWorktreeServices(project, current, line => process.stderr.write(`port: ${line}\n`));
	}

	const renamed = await git(['branch', '-m', old, next], project.repoRoot);
	if (renamed.exitCode !== 0) throw new PortError(`git branch -m ${old} ${next} failed: ${renamed.stderr.trim()}`, ExitCode.failure);
	if (dir !== current.path) {
		const moved = await git(['worktree', 'move', current.path, dir], project.repoRoot);
		if (moved.exitCode !== 0) {
			await git(['branch', '-m', next, old], project.repoRoot); // leave things as they were
			throw new PortError(`git worktree move failed: ${moved.stderr.trim().replace(/^fatal:\s*/, '')}`, ExitCode.failure, `The branch is still ${old}.`);
		}
		// Our working directory moved with the worktree: children (docker) need one that exists.
		process.chdir(dir);
	}
	const name = sanitizeName(path.basename(dir));
	syncHosts({remove: [hostnameFor(project.worktree, project.config.domain)], add: [hostnameFor(name, project.config.domain)]});
	process.stderr.write(`port: renamed ${old} -> ${next}${dir === current.path ? '' : `, moved ${current.path} -> ${dir}`}\n`);
	process.stdout.write(`${dir}\n`);
	if (!cdShellTo(dir) && dir !== current.path) process.stderr.write(`port: note: your shell is still in the old directory: cd ${shellQuote(dir)}\n`);
	await warnOrphanedVolumes(project.repoRoot, composeContext(project).name, composeContext({...project, worktree: name, worktreePath: dir}).name);
	if (running.length > 0) {
		await stopTraefikIfUnusedOrWarn();
	}
	return ExitCode.ok;
}

/** The Compose project name follows the worktree name: the old project's named volumes stay behind, unused. */
async function warnOrphanedVolumes(repoRoot: string, oldProject: string, newProject: string): Promise<void> {
	if (oldProject === newProject) return;
	const volumes = await composeProjectVolumes(oldProject, repoRoot);
	if (volumes.length === 0) return;
	warn(
		`the Compose project ${oldProject} has ${volumes.length} named volume(s) the renamed worktree's project ${newProject} will not use: ${volumes.join(', ')}` +
			` (copy what you need; remove them with: docker volume rm ${volumes.join(' ')})`,
	);
}
