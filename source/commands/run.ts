import {lanNotice} from '../core/exposure.js';
import {closeSync, openSync} from 'node:fs';
import {isatty} from 'node:tty';
import {parseLogicalPort} from '../core/args.js';
import {ExitCode, PortError, UsageError} from '../core/errors.js';
import {alreadyRunningError, exitCodeFor, findHostService, launchHostService, stopHostService, type SupervisedService} from '../core/host-service.js';
import {detectProject} from '../core/project.js';
import {readRegistry} from '../core/registry.js';
import {cleanupStale} from '../core/stale.js';
import {warn} from '../core/warnings.js';
import {signalExitCode} from '../core/host-service.js';
import {parseCommand} from './parse.js';
import {confirm} from './prompt.js';

export const spec = {
	name: 'run',
	usage: 'port run <logical-port> [--replace] -- <command...>',
	help: `
  Runs a host process with PORT set to a free port and routes <worktree>.<domain>:<logical-port> to it.

  Options
    --replace   Replace a service already running for this worktree and port

  Examples
    $ port run 3000 -- npm run dev
    $ port run 5173 -- sh -c 'vite --port $PORT --host 0.0.0.0'
`,
	flags: {replace: {type: 'boolean', default: false}},
} as const;

const stopSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export default async function run(argv: string[], command: string[] | undefined): Promise<number> {
	// Taken now: once the terminal hangs up, isatty() answers false for it.
	const terminalFds = [0, 1, 2].filter(fd => isatty(fd));
	const cli = parseCommand(spec, argv);
	const usage = `Usage: ${spec.usage}`;
	if (cli.input.length > 1) throw new UsageError(`Unexpected argument "${cli.input[1]}" (put the command after --).`, usage);
	const logicalPort = parseLogicalPort(cli.input[0], usage);
	if (command === undefined) throw new UsageError("Missing '--' before the command.", usage);
	if (command.length === 0 || command[0]!.trim() === '') throw new UsageError('Missing command after --.', usage);

	const project = detectProject();
	if (!project) throw new PortError('Not inside a git repository.', ExitCode.config, 'Run port run from a repository or one of its worktrees.');
	cleanupStale();

	const label = `${project.worktree}:${logicalPort}`;
	const existing = findHostService(readRegistry(), project.repoRoot, project.worktree, logicalPort);
	if (existing) {
		let replace = cli.flags.replace;
		if (!replace) {
			if (!process.stdin.isTTY) throw alreadyRunningError(label);
			replace = await confirm(`Service already running for ${label}. Replace? [y/N] `);
			if (!replace) throw new PortError(`Not replaced: ${label} keeps running (pid ${existing.pid}).`, ExitCode.conflict);
		}
		process.stderr.write(`port: stopping the running ${label} (pid ${existing.pid})\n`);
		await stopHostService(existing);
	}

	// Signals that arrive while we are still setting up are honoured as soon as a child exists.
	let received: NodeJS.Signals | undefined;
	let supervised: SupervisedService | undefined;
	const setup = new AbortController();
	const onSignal = (signal: NodeJS.Signals) => {
		if (received) {
			supervised?.kill();
			return;
		}
		received = signal;
		setup.abort();
		void supervised?.stop();
	};
	for (const signal of stopSignals) process.on(signal, onSignal);
	// Control channel: SIGUSR2 asks this `port run` to restart its child in place (port ui uses it).
	process.on('SIGUSR2', () => void supervised?.restart());

	let launched;
	try {
		launched = await launchHostService({
			project,
			logicalPort,
			command,
			cwd: process.cwd(),
			owner: 'run',
			output: 'pipe',
			stdout: process.stdout,
			stderr: process.stderr,
			color: Boolean(process.stdout.isTTY),
			onProgress: message => process.stderr.write(`port: ${message}\n`),
			signal: setup.signal,
		});
	} catch (error) {
		// Interrupted while setting up: the claim and route are already given back.
		if (received) return signalExitCode(received);
		throw error;
	}

	supervised = launched.supervised;
	const {service, traefik} = launched;
	const direct = `http://localhost:${service.actualPort}`;
	supervised.on(event => {
		if (event.type === 'exit' && event.restarting) process.stderr.write(`port: restarting ${label}\n`);
		if (event.type === 'spawned' && event.service.pid !== service.pid) process.stderr.write(`port: ${label} restarted (pid ${event.service.pid})\n`);
	});
	if (supervised.entry) {
		process.stderr.write(`port: ${label} -> http://${service.hostname}:${logicalPort}  (direct: ${direct}, pid ${supervised.entry.pid})\n`);
		if (traefik.state === 'unavailable') warn(`${traefik.reason} Routing is off until Traefik runs; use ${direct}.`);
		else if (project.config.lan) process.stderr.write(`port: ${lanNotice([logicalPort])}\n`);
	}
	if (received) void supervised.stop();

	const info = await supervised.ended;
	if (info.spawnError === 'ENOENT') process.stderr.write(`port: command not found: ${command[0]}\n`);
	else if (info.spawnError) process.stderr.write(`port: cannot execute ${command[0]}: ${info.spawnError}\n`);
	// Node resets the terminal at exit and aborts (SIGABRT) when that terminal hung up; it skips
	// descriptors that were reopened, so point ours at /dev/null: nothing can be shown any more.
	if (received === 'SIGHUP') detachFromTerminal(terminalFds);
	if (received) return signalExitCode(received);
	return exitCodeFor(info);
}

/** Reopens the given stdio descriptors on /dev/null (open() takes the lowest free fd). */
function detachFromTerminal(fds: number[]): void {
	for (const fd of fds) {
		closeSync(fd);
		const reopened = openSync('/dev/null', fd === 0 ? 'r' : 'w');
		if (reopened !== fd) closeSync(reopened);
	}
}
