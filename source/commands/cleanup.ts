import {ExitCode, PortError, UsageError} from '../core/errors.js';
import {listWorktrees, requireProject} from '../core/git/project.js';
import {git} from '../core/git/worktrees.js';
import {commitsNotIn} from '../core/lifecycle/prune.js';
import {parseCommand, positionals} from './parse.js';
import {confirm} from './prompt.js';

export const spec = {
	name: 'cleanup',
	usage: 'port cleanup [--dry-run] [--yes] [--force]',
	help: `
  Deletes the archive/<branch>-<timestamp> branches that port remove and port prune made and
  that are fully merged into the main checkout's branch. An archive with commits that branch
  lacks is listed with their count and kept: --force deletes it too (its commits become
  unreachable and git gc eventually drops them). Asks first in a terminal; without a
  terminal it needs --yes.

  Options
    --dry-run   Only list the branches
    --yes       Do not ask
    --force     Also delete archives with commits not in the main checkout's branch
`,
	flags: {dryRun: {type: 'boolean', default: false}, yes: {type: 'boolean', default: false}, force: {type: 'boolean', default: false}},
} as const;

/** The names archiveBranch gives: archive/<branch>-YYYYMMDD-HHMMSS, maybe with -<n>. */
const archived = /^archive\/.+-\d{8}-\d{6}(?:-\d+)?$/;

export default async function cleanup(argv: string[]): Promise<number> {
	const cli = await parseCommand(spec, argv);
	positionals(spec, cli.input, 0);
	const project = requireProject();
	const refs = await git(['for-each-ref', '--format=%(refname:short)', 'refs/heads/archive/'], project.repoRoot);
	if (refs.exitCode !== 0) throw new PortError(`git for-each-ref failed: ${refs.stderr.trim()}`, ExitCode.failure);
	const trees = listWorktrees(project.repoRoot);
	const checkedOut = new Set(trees.map(w => w.branch));
	const candidates = refs.stdout.split('\n').map(l => l.trim()).filter(b => archived.test(b) && !checkedOut.has(b));
	// Merged means every commit is in the main checkout's branch (its HEAD when detached):
	// deleting the archive then loses nothing.
	const base = trees[0]?.branch ?? 'HEAD';
	const branches: string[] = [];
	for (const b of candidates) {
		const ahead = await commitsNotIn(project.repoRoot, base, b);
		if (ahead === 0 || cli.flags.force) branches.push(b);
		else process.stdout.write(`kept ${b}: ${ahead} commit(s) not in ${base} (--force deletes it)\n`);
	}
	if (branches.length === 0) {
		process.stdout.write(candidates.length === 0 ? 'No archive/* branches to delete.\n' : 'No merged archive/* branches to delete.\n');
		return ExitCode.ok;
	}
	for (const b of branches) process.stdout.write(`${cli.flags.dryRun ? 'would delete' : 'to delete'} ${b}\n`);
	if (cli.flags.dryRun) return ExitCode.ok;
	if (!cli.flags.yes) {
		if (!process.stdin.isTTY) throw new UsageError(`Not deleting ${branches.length} branch(es) without --yes (no terminal to ask).`, `Usage: ${spec.usage}`);
		if (!(await confirm(`Delete ${branches.length} archive branch(es)? [y/N] `))) {
			process.stderr.write('port: nothing deleted\n');
			return ExitCode.failure;
		}
	}
	const result = await git(['branch', '-D', ...branches], project.repoRoot);
	if (result.exitCode !== 0) throw new PortError(`git branch -D failed: ${result.stderr.trim()}`, ExitCode.failure);
	process.stdout.write(`deleted ${branches.length} archive branch(es)\n`);
	return ExitCode.ok;
}
