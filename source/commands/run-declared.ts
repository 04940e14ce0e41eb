import {ExitCode, PortError, UsageError} from '../core/errors.js';
import {exitCodeFor, signalExitCode, type ExitInfo} from '../core/supervise/exit-codes.js';
import {findHostService} from '../core/supervise/conflicts.js';
import {launchHostService, type Launched} from '../core/supervise/launch.js';
import {stopHostService, takeRestartRequests} from '../core/supervise/control.js';
import type {SupervisedService} from '../core/supervise/supervisor.js';
import {detectProject, type Project} from '../core/git/project.js';
import {readRegistry} from '../core/registry/registry.js';
import {cleanupStale} from '../core/supervise/stale.js';
import {readyGraceMsOf, serviceCwd} from '../core/supervise/declared.js';
import {afterLaunch} from './run-notices.js';
import {linePrefix, prefixColor, stdoutWantsColor} from '../core/logs/prefix.js';

export type DeclaredTarget =
	| {kind: 'all'; project: Project}
	| {kind: 'one'; project: Project; name: string; port: number; command: string[]; cwd: string; env?: Record<string, string>; readyGraceMs: number};

/** `port run` (no name: all) or `port run <name>`: a service of `services` in .port/config.jsonc. */
export function declaredTarget(name: string | undefined, usage: string): DeclaredTarget {
	const project = detectProject();
	if (!project && name === undefined) throw new UsageError('Missing <logical-port>.', usage);
	if (!project) throw new PortError('Not inside a git repository.', ExitCode.config, 'Run port run from a repository or one of its worktrees.');
	const services = project.config.services ?? {};
	const names = Object.keys(services);
	if (name === undefined) {
		if (names.length === 0) throw new UsageError('Missing <logical-port> (or declare "services" in .port/config.jsonc to run them all).', usage);
		return {kind: 'all', project};
	}
	const service = services[name];
	if (!service) {
		const known = names.length > 0 ? `declared: ${names.join(', ')}` : 'no services are declared in .port/config.jsonc';
		throw new UsageError(`Unknown service "${name}" (${known}).`, usage);
	}
	return {
		kind: 'one',
		project,
		name,
		port: service.port,
		command: service.command,
		cwd: serviceCwd(project.worktreePath, name, service.cwd),
		env: service.env,
		readyGraceMs: readyGraceMsOf(project.config, service),
	};
}

const stopSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Writes whole lines with a prefix; a partial line waits for its end (or `flush`). */
function prefixer(prefix: string, out: NodeJS.WritableStream) {
	let pending = '';
	return {
		write(text: string) {
			const lines = (pending + text).split('\n');
			pending = lines.pop()!;
			for (const line of lines) out.write(`${prefix}${line}\n`);
		},
		flush() {
			if (pending !== '') out.write(`${prefix}${pending}\n`);
			pending = '';
		},
	};
}

/**
 * Runs every declared service of this worktree in the foreground, like foreman: each is a
 * normal host service (registry, route, log), its output prefixed with its name. A service
 * that ends is reported and the others go on (`port kill`, `--replace` and the dashboard stop one
 * by its own process group: `sharedSupervisor`); Ctrl+C (or SIGTERM/SIGHUP) stops them all. Exits
 * once all have ended: the signal's code, else the first non-zero one among the services.
 */
export async function runAll(project: Project, options: {inject: boolean; replace: boolean}): Promise<number> {
	cleanupStale();
	const services = Object.entries(project.config.services ?? {});
	const width = Math.max(...services.map(([name]) => name.length));
	const color = stdoutWantsColor();
	const running: Array<{name: string; supervised: SupervisedService}> = [];
	const launched: Array<{port: number; direct: string; hostname: string; traefik: Launched['traefik']}> = [];
	let received: NodeJS.Signals | undefined;
	const setup = new AbortController();
	const onSignal = (signal: NodeJS.Signals) => {
		if (received) {
			for (const r of running) r.supervised.kill();
			return;
		}
		received = signal;
		setup.abort();
		for (const r of running) void r.supervised.stop();
	};
	for (const signal of stopSignals) process.on(signal, onSignal);
	// The control channel (a dashboard's restart): the services marked in the registry, else all.
	process.on('SIGUSR2', () => {
		void takeRestartRequests()
			.catch(() => new Set<string>())
			.then(ids => {
				const asked = running.filter(r => ids.has(r.supervised.identity.id));
				for (const r of asked.length > 0 ? asked : running) void r.supervised.restart();
			});
	});

	let failure: number | undefined;
	for (const [index, [name, service]] of services.entries()) {
		if (received) break;
		const label = name.padEnd(width);
		const prefix = linePrefix(label, color ? prefixColor(index) : undefined);
		const out = prefixer(prefix, process.stdout);
		const err = prefixer(prefix, process.stderr);
		const say = (message: string) => process.stderr.write(`${prefix}port: ${message}\n`);
		try {
			const existing = findHostService(readRegistry(), project.repoRoot, project.worktree, service.port);
			if (existing && !options.replace) throw new PortError(`already running as ${project.worktree}:${service.port} (pid ${existing.pid}); use --replace or port kill ${service.port}`, ExitCode.conflict);
			if (existing) await stopHostService(existing);
			const {service: entry, supervised, traefik} = await launchHostService({
				project,
				logicalPort: service.port,
				command: service.command,
				cwd: serviceCwd(project.worktreePath, name, service.cwd),
				env: service.env,
				inject: options.inject,
				readyGraceMs: readyGraceMsOf(project.config, service),
				owner: 'run',
				sharedSupervisor: true,
				output: 'pipe',
				onOutput: (chunk, stream) => (stream === 'stdout' ? out : err).write(chunk.toString()),
				color,
				onProgress: say,
				onNotice: say,
				signal: setup.signal,
			});
			running.push({name, supervised});
			if (supervised.entry) launched.push({port: service.port, direct: `http://localhost:${entry.actualPort}`, hostname: entry.hostname, traefik});
			if (supervised.entry) say(`${project.worktree}:${service.port} -> http://${entry.hostname}:${service.port}  (direct: http://localhost:${entry.actualPort}, pid ${supervised.entry.pid})`);
			void supervised.ended.then(info => {
				out.flush();
				err.flush();
				if (!received) say(endText(info, service.command[0]!));
				const code = exitCodeFor(info);
				if (code !== 0 && !received) failure ??= code;
			});
		} catch (error) {
			if (received) break;
			say(error instanceof PortError ? error.message : `cannot start: ${error instanceof Error ? error.message : String(error)}`);
			failure ??= error instanceof PortError ? error.exitCode : ExitCode.failure;
		}
	}
	// Once for all of them (one hostname), as a single `port run` says it for its one.
	const first = launched[0];
	if (first && !received) {
		const lines = {hostname: first.hostname, logicalPorts: launched.map(l => l.port), direct: launched.map(l => l.direct), traefik: first.traefik, lan: project.config.lan};
		afterLaunch(lines, message => process.stderr.write(`port: ${message}\n`));
	}
	if (received) for (const r of running) void r.supervised.stop();
	await Promise.all(running.map(r => r.supervised.ended));
	if (received) return signalExitCode(received);
	return failure ?? ExitCode.ok;
}

function endText(info: ExitInfo, program: string): string {
	if (info.spawnError === 'ENOENT') return `command not found: ${program}`;
	if (info.spawnError) return `cannot execute ${program}: ${info.spawnError}`;
	return info.signal ? `ended by ${info.signal}` : `exited with code ${info.code ?? '?'}`;
}
