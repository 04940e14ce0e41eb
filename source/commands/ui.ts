import {ExitCode, PortError} from '../core/errors.js';
import {detectProject} from '../core/git/project.js';
import {cleanupStale} from '../core/supervise/stale.js';
import type {Invocation} from './names.js';
import {parseCommand, positionals} from './parse.js';

export const spec = {
	name: 'ui',
	usage: 'port ui',
	help: `
  The terminal dashboard: every worktree of this repository with its Docker Compose services
  and host services, live logs, and keys to launch, stop, restart and force-kill services and
  to run compose up/down. Press ? inside for every key. Works without 'port init' (defaults
  apply), like port run. Needs a terminal: without one, use port list or port status.
`,
	flags: {},
} as const;

export default async function ui(argv: string[], _rest: string[] | undefined, invocation: Invocation): Promise<number> {
	const cli = await parseCommand(spec, argv);
	positionals(spec, cli.input, 0);
	// Checked before Ink is imported: raw mode on a non-terminal throws deep inside Ink.
	if (!process.stdin.isTTY || !process.stdout.isTTY) {
		throw new PortError('port ui needs an interactive terminal (stdin and stdout must be a TTY).', ExitCode.usage, "Use 'port list' (or 'port status') for a plain listing.");
	}
	const project = detectProject();
	if (!project) throw new PortError('Not inside a git repository.', ExitCode.config, 'Run port ui from a repository or one of its worktrees.');
	cleanupStale();
	const {runUi} = await import('../ui/run-ui.js');
	return runUi({
		project,
		// Compose up/down go through `port up` / `port down`, run by this same script.
		cli: invocation.script === undefined ? undefined : [process.execPath, invocation.script],
		traceFile: process.env['PORT_UI_TRACE'] || undefined,
	});
}
