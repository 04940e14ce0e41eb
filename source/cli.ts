#!/usr/bin/env node
import {splitArgv} from './core/args.js';
import {ExitCode, PortError, isPortError} from './core/errors.js';
import {commandSummaries, commands} from './commands/index.js';
import {isFullParserNeeded, isSimpleArg, loadFullParser} from './commands/parse.js';
import {version} from './version.js';

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

async function main(argv: string[]): Promise<number> {
	const {ours, rest} = splitArgv(argv);
	const [name, ...args] = ours;
	if (name === undefined) {
		if (rest !== undefined) throw new PortError('Missing command before --.', ExitCode.usage, "Run 'port --help' for usage.");
		process.stdout.write(help);
		return ExitCode.ok;
	}
	if (name === '--version' || name === '-v') {
		process.stdout.write(`${version}\n`);
		return ExitCode.ok;
	}
	if (name === '--help' || name === '-h' || name === 'help') {
		process.stdout.write(help);
		return ExitCode.ok;
	}
	const load = Object.hasOwn(commands, name) ? commands[name] : commands['enter'] && !name.startsWith('-') ? commands['enter'] : undefined;
	if (!load) {
		const what = name.startsWith('-') ? `Unknown flag ${name}` : `Unknown command "${name}"`;
		throw new PortError(`${what}.`, ExitCode.usage, "Run 'port --help' for the list of commands.");
	}
	const command = await load();
	const commandArgs = Object.hasOwn(commands, name) ? args : ours;
	// meow is loaded only when an argument needs it (start-up budget, see commands/parse.ts).
	if (!commandArgs.every(isSimpleArg)) await loadFullParser();
	try {
		return await command.default(commandArgs, rest);
	} catch (error) {
		if (!isFullParserNeeded(error)) throw error;
		await loadFullParser();
		return command.default(commandArgs, rest);
	}
}

function report(error: unknown): number {
	if (isPortError(error)) {
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

/** Exit once stdout/stderr are flushed: process.exit() alone can cut piped output short. */
function exit(code: number): void {
	process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

// `port list | head -1` closes our stdout early: that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
	stream.on('error', error => {
		if ((error as NodeJS.ErrnoException).code === 'EPIPE') process.exitCode ??= 0;
		else throw error;
	});
}

main(process.argv.slice(2)).then(exit, error => exit(report(error)));
