import {ExitCode, PortError, UsageError} from '../core/errors.js';
import {stopTraefikIfUnusedOrWarn} from '../core/traefik/container.js';
import {requireProject} from '../core/git/project.js';
import {cleanupStale} from '../core/supervise/stale.js';
import {planPrune} from '../core/lifecycle/prune.js';
import {removeWorktree} from '../core/lifecycle/remove.js';
import {parseCommand, positionals} from './parse.js';
import {confirm} from './prompt.js';

export const spec = {
	name: 'prune',
	usage: 'port prune [--dry-run] [--yes] [--base <branch>]',
	help: `
  Removes the worktrees whose branch is merged into the base branch (git branch --merged),
  or whose upstream branch is gone (deleted on the remote after a merge): like port remove,
  it stops their Compose and host services and archives each branch as archive/<branch>-<time>.
  Worktrees with uncommitted or untracked changes, and the one you are in, are skipped and listed.
  Asks first in a terminal; without a terminal it needs --yes. A worktree that cannot be
  removed is reported and the others are still removed (exit 1).

  Options
    --dry-run        Only list what would be removed
    --yes            Do not ask
    --base <branch>  The branch to compare with (default: the main checkout's branch)
`,
	flags: {dryRun: {type: 'boolean', default: false}, yes: {type: 'boolean', default: false}, base: {type: 'string'}},
} as const;

export default async function prune(argv: string[]): Promise<number> {
	const cli = await parseCommand(spec, argv);
	positionals(spec, cli.input, 0);
	const project = requireProject();
	cleanupStale();
	const plan = await planPrune(project.repoRoot, project.worktreePath, cli.flags.base);
	const out = (line: string) => process.stdout.write(`${line}\n`);
	for (const {worktree, why} of plan.skipped) out(`skipped ${worktree.name} (${worktree.branch}): ${why}`);
	if (plan.remove.length === 0) {
		out(`Nothing to prune (no clean worktree merged into ${plan.base} or with its upstream gone).`);
		return ExitCode.ok;
	}
	for (const {worktree, why} of plan.remove) out(`${cli.flags.dryRun ? 'would remove' : 'to remove'} ${worktree.name} (${worktree.branch}): ${why}`);
	if (cli.flags.dryRun) return ExitCode.ok;
	if (!cli.flags.yes) {
		if (!process.stdin.isTTY) throw new UsageError(`Not removing ${plan.remove.length} worktree(s) without --yes (no terminal to ask).`, `Usage: ${spec.usage}`);
		if (!(await confirm(`Remove ${plan.remove.length} worktree(s) and archive their branches? [y/N] `))) {
			process.stderr.write('port: nothing removed\n');
			return ExitCode.failure;
		}
	}
	// One worktree that cannot go (a locked worktree, a docker failure) does not stop the others.
	let failed = 0;
	for (const {worktree} of plan.remove) {
		try {
			await removeWorktree(project, worktree, {force: false, keepBranch: false}, out);
		} catch (error) {
			if (!(error instanceof PortError)) throw error;
			failed++;
			process.stderr.write(`port: could not remove ${worktree.name}: ${error.message}\n`);
		}
	}
	await stopTraefikIfUnusedOrWarn();
	return failed > 0 ? ExitCode.failure : ExitCode.ok;
}
