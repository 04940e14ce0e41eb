/** A subcommand: its argv before `--`, and the words after `--` (undefined when there is none). */
export type Command = (argv: string[], rest: string[] | undefined) => Promise<number>;

/**
 * Every subcommand, loaded lazily so a command only pays for what it uses (and only `port ui`
 * ever loads Ink and React).
 */
export const commands: Record<string, () => Promise<{default: Command}>> = {
	run: () => import('./run.js'),
	init: () => import('./init.js'),
	list: () => import('./list.js'),
	kill: () => import('./kill.js'),
};

export const commandSummaries: Array<[string, string]> = [
	['init', 'Set up .port/ in this repository'],
	['run <port> -- <cmd...>', 'Run a host process behind <worktree>.<domain>:<port>'],
	['list [--json]', 'List worktrees and host services'],
	['kill [port] [--all]', 'Stop host services of this worktree (or all)'],
];
