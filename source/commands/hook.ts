import {ExitCode, PortError, UsageError} from '../core/errors.js';
import {requireProject} from '../core/git/project.js';
import {hookLogFile, hookNames, listHooks, runHook} from '../core/lifecycle/hooks.js';
import {hookTargetOf} from '../core/lifecycle/target.js';
import {parseCommand, positionals} from './parse.js';

export const spec = {
	name: 'hook',
	usage: 'port hook <name> | port hook --list',
	help: `
  Runs a hook of .port/hooks/ again in this worktree, as port enter (post-create) and port up
  (post-up) run it: cwd the worktree, with PORT_ROOT_PATH, PORT_WORKTREE_PATH, PORT_BRANCH,
  PORT_WORKTREE, PORT_DOMAIN and PORT_HOSTNAME set. Its output is shown and kept in
  $PORT_HOME/logs/hooks/ (the latest run). Exits with the hook's exit code.
  A hook must be executable (chmod +x); port init writes inert *.sample examples.

  Options
    --list   List the hooks of this repository, whether each is enabled, and its log file
`,
	flags: {list: {type: 'boolean', default: false}},
} as const;

export default async function hook(argv: string[]): Promise<number> {
	const cli = await parseCommand(spec, argv);
	const [name] = positionals(spec, cli.input, 1);
	const project = requireProject();
	const target = hookTargetOf(project);
	if (cli.flags.list || name === undefined) {
		if (name !== undefined) throw new UsageError('port hook --list takes no <name>.', `Usage: ${spec.usage}`);
		const hooks = listHooks(project.repoRoot);
		if (hooks.length === 0) process.stdout.write('No hooks in .port/hooks/ (port init writes examples).\n');
		const known = new Set<string>(hookNames);
		for (const h of hooks) {
			const when = known.has(h.name) ? (h.name === 'post-create' ? 'after port enter creates a worktree' : 'after port up, and port open') : h.name.endsWith('.sample') ? 'example (inert)' : 'run only by port hook';
			const state = h.state === 'ready' ? 'enabled' : 'not executable (chmod +x to enable)';
			process.stdout.write(`  ${h.name.padEnd(20)} ${h.name.endsWith('.sample') ? '' : `${state}; `}${when}\n`);
			if (h.state === 'ready') process.stdout.write(`  ${''.padEnd(20)} log: ${hookLogFile(target, h.name)}\n`);
		}
		if (name === undefined && !cli.flags.list && hooks.length > 0) process.stdout.write(`Run one with: port hook <name>\n`);
		return ExitCode.ok;
	}
	if (name.includes('/') || name.startsWith('.')) throw new UsageError(`Invalid hook name "${name}".`, `Usage: ${spec.usage}`);
	const run = await runHook(name, target, false);
	if (!run) {
		const why = listHooks(project.repoRoot).some(h => h.name === name) ? 'is not executable' : 'does not exist';
		throw new PortError(`Hook .port/hooks/${name} ${why}.`, ExitCode.failure, "Run 'port hook --list' to see the hooks.");
	}
	if (run.exitCode !== 0) process.stderr.write(`port: hook ${name} failed (exit ${run.exitCode}); log: ${run.logFile}\n`);
	return run.exitCode;
}
