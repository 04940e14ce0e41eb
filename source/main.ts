// Everything `port` does but `--version` (answered by cli.ts before this module loads).
import {splitArgv} from './core/args.js';
import {ExitCode, HelpRequested, PortError} from './core/errors.js';
import {commandSummaries, commands} from './commands/index.js';
import {resolveAlias, type CommandName} from './commands/names.js';

const help = `
  port: run the same services on the same ports in many git worktrees at once.

  Usage
    $ port <command> [options]

  Commands
${commandSummaries.map(([name, text]) => `    ${name.padEnd(26)}${text}`).join('\n')}

  Options
    --help       Show help (also: port <command> --help)
    --version    Show the version

  Environment
    PORT_HOME    Where the registry, Traefik files and logs live (default ~/.port)
    PORT_DEBUG=1 Print stack traces for errors
`;

const isCommand = (name: string): name is CommandName => Object.hasOwn(commands, name);

async function main(argv: string[], script: string | undefined): Promise<number> {
	// Process identity, process groups and signals are POSIX; see "Platforms" in readme.md.
	if (process.platform === 'win32') throw new PortError('Windows is not supported; use WSL2 (port runs there as on Linux).', ExitCode.failure);
	const {ours, rest} = splitArgv(argv);
	const [given, ...args] = ours;
	const name = given === undefined ? undefined : resolveAlias(given);
	if (name === undefined) {
		if (rest !== undefined) throw new PortError('Missing command before --.', ExitCode.usage, "Run 'port --help' for usage.");
		process.stdout.write(help);
		return ExitCode.ok;
	}
	if (name === '--help' || name === '-h' || name === 'help') {
		process.stdout.write(help);
		return ExitCode.ok;
	}
	if (isCommand(name)) {
		const command = await commands[name]();
		return command.default(args, rest, {shorthand: false, script});
	}
	if (name.startsWith('-')) throw new PortError(`Unknown flag ${name}.`, ExitCode.usage, "Run 'port --help' for the list of commands.");
	// `port <branch>` is `port enter <branch>`.
	const enter = await commands.enter();
	return enter.default(ours, rest, {shorthand: true, script});
}

function report(error: unknown): number {
	if (error instanceof HelpRequested) {
		process.stdout.write(error.text);
		return ExitCode.ok;
	}
	if (error instanceof PortError) {
		process.stderr.write(`port: ${error.message}\n`);
		if (error.hint) process.stderr.write(`${error.hint}\n`);
		if (process.env['PORT_DEBUG'] === '1') process.stderr.write(`${error.stack}\n`);
		return error.exitCode;
	}
	const message = error instanceof Error ? error.message : String(error);
	process.stderr.write(`port: unexpected error: ${message}\n`);
	process.stderr.write(process.env['PORT_DEBUG'] === '1' ? `${(error as Error)?.stack}\n` : 'Set PORT_DEBUG=1 for details.\n');
	return ExitCode.failure;
}

// process.stdout / process.stderr are created on first use, and creating one costs start-up
// time (a pipe or a terminal loads net and streams): `port list --json` writes through fd 1
// (core/output.ts) and must not pay for either (measured: creating both up front ~2.5 ms).
// Track the ones that exist, so exit() flushes only those and the EPIPE handler goes on each.
const opened: NodeJS.WriteStream[] = [];
// `port list | head -1` closes our stdout early (EPIPE); a closed terminal fails writes with EIO.
// Neither is worth a stack trace, and throwing here would kill `port run` halfway through
// stopping its child: output that cannot be shown is dropped.
const onStreamError = (error: Error) => {
	if ((error as NodeJS.ErrnoException).code === 'EPIPE') process.exitCode ??= 0;
};
for (const name of ['stdout', 'stderr'] as const) {
	const descriptor = Object.getOwnPropertyDescriptor(process, name);
	const get = descriptor?.get;
	if (!get || !descriptor.configurable) {
		opened.push(process[name].on('error', onStreamError));
		continue;
	}
	Object.defineProperty(process, name, {
		configurable: true,
		enumerable: descriptor.enumerable,
		get() {
			const stream = get.call(process) as NodeJS.WriteStream;
			if (!opened.includes(stream)) opened.push(stream.on('error', onStreamError));
			return stream;
		},
	});
}

/** Exit once stdout/stderr are flushed: process.exit() alone can cut piped output short. */
function exit(code: number): void {
	const flush = (index: number): void => {
		const stream = opened[index];
		if (!stream) process.exit(code);
		else if (stream.destroyed || stream.writableEnded) flush(index + 1);
		else stream.write('', () => flush(index + 1));
	};
	flush(0);
}

/** Runs one `port` invocation (argv without node and the script) and exits with its code. */
export function start(argv: string[], script: string | undefined): void {
	// ps and top show `port`, not `node .../cli.js run 3000 -- <the child's argv>` (meow did this;
	// tests find a service's processes by a marker in their command line).
	process.title = 'port';
	main(argv, script).then(exit, error => exit(report(error)));
}
