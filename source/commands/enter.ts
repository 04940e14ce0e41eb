import {cdShellTo, shellQuote} from './cd-file.js';
import {ExitCode, PortError} from '../core/errors.js';
import {requireProject} from '../core/git/project.js';
import {cleanupStale} from '../core/supervise/stale.js';
import {syncHosts} from '../core/dns/hosts-sync.js';
import {hostnameFor, sanitizeName} from '../core/names.js';
import path from 'node:path';
import {branchExists, enterWorktree, git, gitWorktrees, removeWorktreeDir} from '../core/git/worktrees.js';
import {runHook} from '../core/lifecycle/hooks.js';
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
  A new worktree runs the .port/hooks/post-create hook (see port hook --help); when it fails
  the new worktree (and a branch this run made) is removed again, and port exits 1.

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
	const worktree = sanitizeName(path.basename(entered.path));
	process.stderr.write(`port: ${said}: ${entered.path}\n`);
	if (entered.source !== 'existing') {
		const target = {repoRoot: project.repoRoot, worktreePath: entered.path, worktree, branch: entered.branch, domain: project.config.domain};
		const hook = await runHook('post-create', target, true);
		if (hook && hook.exitCode !== 0) {
			// A half-made worktree is worse than none: remove it, and the branch if this run made it.
			await removeWorktreeDir(project.repoRoot, entered.path, true);
			const madeBranch = entered.source === 'new' || entered.source === 'remote';
			if (madeBranch) await git(['branch', '-D', entered.branch], project.repoRoot);
			throw new PortError(
				`post-create hook failed (exit ${hook.exitCode}): removed the new worktree ${entered.path}${madeBranch ? ` and branch ${entered.branch}` : ''}.`,
				ExitCode.failure,
				`Its output is in ${hook.logFile}; 'port enter ${entered.branch}' runs it again.`,
			);
		}
	}
	syncHosts({add: [hostnameFor(worktree, project.config.domain)]});
	process.stdout.write(`${entered.path}\n`);
	if (!cdShellTo(entered.path) && process.stdout.isTTY) {
		process.stderr.write(`  cd ${shellQuote(entered.path)}\n  (eval "$(port shell-hook bash)" makes port enter change directory for you)\n`);
	}
	return ExitCode.ok;
}
