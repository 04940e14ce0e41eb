/** The subcommand names, in a leaf module: `port enter`'s typo guard needs them, not the loaders. */
export const commandNames = ['run', 'init', 'list', 'kill', 'enter', 'shell-hook', 'up', 'down', 'status', 'urls', 'remove', 'compose', 'ui', 'logs', 'install', 'uninstall', 'doctor', 'completion', 'exit', 'hook', 'open', 'prune', 'cleanup', 'rename'] as const;

export type CommandName = (typeof commandNames)[number];

/** Short names that run a command (`port ls` is `port list`); the typo guard suggests them too. */
export const commandAliases: Readonly<Record<string, CommandName>> = {ls: 'list', rm: 'remove', dc: 'compose', mv: 'rename'};

/** The command `name` runs: itself, or the command it is an alias of. */
export const resolveAlias = (name: string): string => (Object.hasOwn(commandAliases, name) ? commandAliases[name]! : name);

/** How cli.ts was invoked, for the commands that need it (only cli.ts reads the command line). */
export interface Invocation {
	/** True when `enter` was reached as `port <branch>` rather than `port enter <branch>`. */
	shorthand: boolean;
	/** The script being run (argv[1]): the dashboard runs it again for up/down. */
	script: string | undefined;
}

/** A subcommand: its argv before `--`, the words after `--` (undefined when there is none), and how port was invoked. */
export type Command = (argv: string[], rest: string[] | undefined, invocation: Invocation) => Promise<number>;
