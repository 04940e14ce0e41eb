import {ExitCode, PortError, UsageError} from '../core/errors.js';
import {listWorktrees, requireProject} from '../core/git/project.js';
import {git} from '../core/git/worktrees.js';
import {parseCommand, positionals} from './parse.js';
import {confirm} from './prompt.js';

export const spec = {
	name: 'cleanup',
	usage: 'port cleanup [--dry-run] [--yes]',
	help: `
  Deletes the archive/<branch>-<timestamp> branches that port remove and port prune made
  (their commits become unreachable and git gc eventually drops them). Asks first in a
  terminal; without a terminal it needs --yes.

  Options
    --dry-run   Only list the branches
    --yes       Do not ask
`,
	flags: {dryRun: {type: 'boolean', default: false}, yes: {type: 'boolean', default: false}},
} as const;

/** The names archiveBranch gives: archive/<branch>-YYYYMMDD-HHMMSS, maybe with -<n>. */
const archived = /^archive\/.+-\d{8}-\d{6}(?:-\d+)?$/;

export default async function cleanup(argv: string[]): Promise<number> {
	const cli = await parseCommand(spec, argv);
	positionals(spec, cli.input, 0);
	const project = requireProject();
	const refs = await git(['for-each-ref', '--format=%(refname:short)', 'refs/heads/archive/'], project.repoRoot);
	if (refs.exitCode !== 0) throw new PortError(`git for-each-ref failed: ${refs.stderr.trim()}`, ExitCode.failure);
	const checkedOut = new Set(listWorktrees(project.repoRoot).map(w => w.branch));
	const branches = refs.stdout.split('\n').map(l => l.trim()).filter(b => archived.test(b) && !checkedOut.has(b));
	if (branches.length === 0) {
		process.stdout.write('No archive/* branches to delete.\n');
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
