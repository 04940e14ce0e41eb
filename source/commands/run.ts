import {closeSync, openSync} from 'node:fs';
import {isatty} from 'node:tty';
import {parseLogicalPort} from '../core/args.js';
import {ExitCode, PortError, UsageError} from '../core/errors.js';
import {killDockerCalls} from '../core/docker/cli.js';
import {alreadyRunningError, findHostService, startingClaim} from '../core/supervise/conflicts.js';
import {exitCodeFor, type ExitInfo, signalExitCode} from '../core/supervise/exit-codes.js';
import {launchHostService} from '../core/supervise/launch.js';
import {stopHostService, stopStartingService} from '../core/supervise/control.js';
import type {SupervisedService} from '../core/supervise/supervisor.js';
import {detectProject} from '../core/git/project.js';
import {readRegistry} from '../core/registry/registry.js';
import {cleanupStale} from '../core/supervise/stale.js';
import {readyGraceMsOf} from '../core/supervise/declared.js';
import {afterLaunch} from './run-notices.js';
import {parseCommand} from './parse.js';
import {declaredTarget, runAll} from './run-declared.js';
import {confirm} from './prompt.js';

export const spec = {
	name: 'run',
	usage: 'port run <logical-port> [--replace] [--no-inject] -- <command...>  |  port run [<service>]',
	help: `
  Runs a host process with PORT set to a free port and routes <worktree>.<domain>:<logical-port> to it.
  Known dev servers that ignore PORT (vite, astro, ng serve, react-router, rsbuild, expo), run
  directly, through npx/pnpm/yarn/bunx or a package.json script, get --port <port> added.
  {PORT} in the command is replaced by the port. With no arguments, runs every service
  declared in .port/config.jsonc ("services"); with a name, that one.

  Options
    --replace     Replace a service already running (or starting) for this worktree and port
    --no-inject   Never add --port (and --strictPort/--host) to the command

  Examples
    $ port run 3000 -- npm run dev
    $ port run 5173 -- npx vite
    $ port run 8000 -- python3 -m http.server {PORT}
    $ port run web
    $ port run
`,
	flags: {replace: {type: 'boolean', default: false}, inject: {type: 'boolean', default: true}},
} as const;

const stopSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export default async function run(argv: string[], command: string[] | undefined): Promise<number> {
	// Taken now: once the terminal hangs up, isatty() answers false for it.
	const terminalFds = [0, 1, 2].filter(fd => isatty(fd));
	const cli = await parseCommand(spec, argv);
	const usage = `Usage: ${spec.usage}`;
	if (cli.input.length > 1) throw new UsageError(`Unexpected argument "${cli.input[1]}" (put the command after --).`, usage);
	// `port run` / `port run web`: services declared in .port/config.jsonc.
	const declared = command === undefined && !/^\d+$/.test(cli.input[0] ?? '') ? declaredTarget(cli.input[0], usage) : undefined;
	if (declared?.kind === 'all') return runAll(declared.project, {inject: cli.flags.inject, replace: cli.flags.replace});
	const byName = declared?.kind === 'one' ? declared : undefined;
	const logicalPort = byName?.port ?? parseLogicalPort(cli.input[0], usage);
	command = byName?.command ?? command;
	if (command === undefined) throw new UsageError("Missing '--' before the command.", usage);
	if (command.length === 0 || command[0]!.trim() === '') throw new UsageError('Missing command after --.', usage);

	const project = byName?.project ?? detectProject();
	if (!project) throw new PortError('Not inside a git repository.', ExitCode.config, 'Run port run from a repository or one of its worktrees.');
	cleanupStale();

	const label = `${project.worktree}:${logicalPort}`;
	const registry = readRegistry();
	const existing = findHostService(registry, project.repoRoot, project.worktree, logicalPort);
	const starting = existing ? undefined : startingClaim(registry, project.repoRoot, project.worktree, logicalPort);
	const pid = existing?.pid ?? starting?.pid;
	if (pid !== undefined) {
		let replace = cli.flags.replace;
		if (!replace) {
			if (!process.stdin.isTTY) throw alreadyRunningError(label);
			replace = await confirm(`Service already running for ${label}. Replace? [y/N] `);
			if (!replace) throw new PortError(`Not replaced: ${label} keeps running (pid ${pid}).`, ExitCode.conflict);
		}
	}

	// A signal during set-up stops the docker call under way (and the claim is given back); once
	// the child runs, it stops the child's group. A second one kills at once.
	let received: NodeJS.Signals | undefined;
	let supervised: SupervisedService | undefined;
	const setup = new AbortController();
	const onSignal = (signal: NodeJS.Signals) => {
		if (received) {
			if (supervised?.kill()) return;
			// Still setting up: whatever is left (claim, route file) is swept by stale cleanup.
			killDockerCalls();
			process.exit(signalExitCode(received));
		}
		received = signal;
		// Nobody sees a hung-up terminal; writing there fails anyway.
		if (signal !== 'SIGHUP') process.stderr.write(`port: stopping ${label} (Ctrl+C again to force)\n`);
		setup.abort();
		void supervised?.stop();
	};
	for (const signal of stopSignals) process.on(signal, onSignal);

	if (pid !== undefined) {
		process.stderr.write(`port: stopping the ${existing ? 'running' : 'starting'} ${label} (pid ${pid})\n`);
		if (existing) await stopHostService(existing);
		else await stopStartingService(starting!);
		if (received) return signalExitCode(received);
	}
	// Control channel: SIGUSR2 asks this `port run` to restart its child in place (port ui uses it).
	process.on('SIGUSR2', () => void supervised?.restart());

	let launched;
	try {
		launched = await launchHostService({
			project,
			logicalPort,
			command,
			cwd: byName?.cwd ?? process.cwd(),
			env: byName?.env,
			inject: cli.flags.inject,
			readyGraceMs: byName?.readyGraceMs ?? readyGraceMsOf(project.config),
			onNotice: message => process.stderr.write(`port: ${message}\n`),
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
		afterLaunch({hostname: service.hostname, logicalPorts: [logicalPort], direct: [direct], traefik, lan: project.config.lan}, message => process.stderr.write(`port: ${message}\n`));
	}
	if (received) void supervised.stop();

	const info = await supervised.ended;
	if (info.spawnError === 'ENOENT') process.stderr.write(`port: command not found: ${command[0]}\n`);
	else if (info.spawnError) process.stderr.write(`port: cannot execute ${command[0]}: ${info.spawnError}\n`);
	else if (!received) process.stderr.write(`port: ${label} stopped: ${howItEnded(info)}\n`);
	// Node resets the terminal at exit and aborts (SIGABRT) when that terminal hung up; it skips
	// descriptors that were reopened, so point ours at /dev/null: nothing can be shown any more.
	if (received === 'SIGHUP') detachFromTerminal(terminalFds);
	if (received) return signalExitCode(received);
	return exitCodeFor(info);
}

const howItEnded = (info: ExitInfo) => (info.signal ? `killed by ${info.signal}` : `exited with code ${info.code ?? 1}`);

/** Reopens the given stdio descriptors on /dev/null (open() takes the lowest free fd). */
function detachFromTerminal(fds: number[]): void {
	for (const fd of fds) {
		closeSync(fd);
		const reopened = openSync('/dev/null', fd === 0 ? 'r' : 'w');
		if (reopened !== fd) closeSync(reopened);
	}
}
