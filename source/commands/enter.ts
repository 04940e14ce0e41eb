import {writeFileAtomic} from '../core/atomic-write.js';
import {ExitCode, PortError} from '../core/errors.js';
import {requireProject} from '../core/git/project.js';
import {cleanupStale} from '../core/supervise/stale.js';
import {syncHosts} from '../core/dns/hosts-sync.js';
import {hostnameFor, sanitizeName} from '../core/names.js';
import path from 'node:path';
import {branchExists, enterWorktree, gitWorktrees} from '../core/git/worktrees.js';
import {commandNames, type Invocation} from './names.js';
import {parseCommand, positionals} from './parse.js';
import {probableCommand} from './typo.js';

export const spec = {
	name: 'enter',
	usage: 'port enter <branch>   (or: port <branch>)',
	help: `
  Prints the path of the worktree of <branch>, creating it at .port/trees/<name> when needed:
  from the local branch, else from origin/<branch> (tracking), else as a new branch from HEAD.
  Branch names with / work: feat/login -> .port/trees/feat-login.

  The path goes to stdout, so  cd "$(port enter feat/login)"  works. To make  port enter
  change directory by itself, add the shell hook to your shell's rc file:
    eval "$(port shell-hook bash)"        # or zsh; fish: port shell-hook fish | source

  Examples
    $ port enter feat/login
    $ port feature-a
`,
	flags: {},
} as const;

export default async function enter(argv: string[], _rest: string[] | undefined, invocation: Invocation): Promise<number> {
	const cli = await parseCommand(spec, argv);
	const usage = `Usage: ${spec.usage}`;
	const [branch] = positionals(spec, cli.input, 1, 'Missing <branch>.') as [string];
	const project = requireProject();
	cleanupStale();

	// `port lsit` must not quietly create a branch: a near-miss of a command is refused unless
	// that branch exists (as a worktree or a local branch); `port enter lsit` always means it.
	const near = invocation.shorthand ? probableCommand(branch, commandNames.filter(name => name !== 'enter')) : undefined;
	if (near) {
		const known = (await gitWorktrees(project.repoRoot)).some(w => w.branch === branch) || (await branchExists(project.repoRoot, branch));
		if (!known) throw new PortError(`Unknown command "${branch}". Did you mean "port ${near}"?`, ExitCode.usage, `To enter a branch of that name, run 'port enter ${branch}'.`);
	}

	const entered = await enterWorktree(project.repoRoot, branch, usage);
	const said = {
		existing: `worktree of ${entered.branch}`,
		local: `created worktree from local branch ${entered.branch}`,
		remote: `created worktree from origin/${entered.branch} (tracking)`,
		new: `created worktree with new branch ${entered.branch} from HEAD`,
	}[entered.source];
	syncHosts({add: [hostnameFor(sanitizeName(path.basename(entered.path)), project.config.domain)]});
	process.stderr.write(`port: ${said}: ${entered.path}\n`);
	process.stdout.write(`${entered.path}\n`);
	const cdFile = process.env['PORT_CD_FILE'];
	if (cdFile) {
		writeFileAtomic(cdFile, entered.path);
	} else if (process.stdout.isTTY) {
		process.stderr.write(`  cd '${entered.path.replaceAll("'", `'\\''`)}'\n  (eval "$(port shell-hook bash)" makes port enter change directory for you)\n`);
	}
	return ExitCode.ok;
}
