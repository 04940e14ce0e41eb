// Host services: launch (owned by this dashboard), stop, restart and force-kill, including
// services left running by another `port ui` or run by `port run`.
import path from 'node:path';
import {exitCodeFor, type ExitInfo} from '../supervise/exit-codes.js';
import {serviceCwd} from '../supervise/declared.js';
import type {Launched} from '../supervise/launch.js';
import type {SupervisedService} from '../supervise/supervisor.js';
import type {StoreContext, WithBusy} from './context.js';
import type {LogFollowers} from './log-followers.js';
import {hostKey, isLive, statusText} from './selectors.js';
import type {HostRow, HostStatus} from './types.js';

export interface HostActions {
	/** Refused with a message while the same service is busy (starting, stopping, restarting). */
	launch(worktreeName: string, logicalPort: number, command: string[], extra?: LaunchExtra): Promise<HostRow | undefined>;
	stop(key?: string): Promise<void>;
	restart(key?: string): Promise<void>;
	forceKill(key?: string): void;
}

/** What a declared service adds to a launch; `cwd` is relative to the worktree. */
export interface LaunchExtra {
	/** The declared service's name (for a missing `cwd`'s message). */
	name?: string;
	cwd?: string;
	env?: Record<string, string>;
	readyGraceMs?: number;
}

interface Needs {
	refresh(): void;
	followers: LogFollowers;
	withBusy: WithBusy;
}

export function createHostActions(ctx: StoreContext, {refresh, followers, withBusy}: Needs): HostActions {
	const {store, deps, buffers, owned, endings, stoppedByUs, remembered, bufferFor, ingest, say, hostByKey, worktreeByName, fresh} = ctx;
	const {project, launch: launchService, stopService, forceKill: killService, requestRestart: askRestart, supervisorAlive: isSupervisorAlive} = deps;

	const adopt = (key: string, supervised: SupervisedService) => {
		owned.set(key, supervised);
		endings.delete(key);
		stoppedByUs.delete(key);
		supervised.on(event => {
			if (event.type === 'exit') {
				if (event.restarting) ingest(key, '\u001B[2m── restarting ──\u001B[0m\n');
				return;
			}
			if (event.type === 'ended') {
				if (owned.get(key) === supervised) owned.delete(key);
				endings.set(key, endingOf(event.info, stoppedByUs.has(key), supervised.request.command[0]));
			}
			refresh();
		});
	};

	/** The command never ran (not found, not executable): list it as ended, say why, no URL. */
	const notStarted = async (key: string, worktreeName: string, logicalPort: number, launched: Launched): Promise<HostRow | undefined> => {
		const info = await launched.supervised.ended;
		const status = endingOf(info, false, launched.supervised.request.command[0]!);
		const service = launched.supervised.pendingEntry();
		remembered.set(key, {
			key,
			repo: service.repo,
			branch: service.branch,
			logicalPort,
			actualPort: service.actualPort,
			pid: 0,
			hostname: service.hostname,
			url: `http://${service.hostname}:${logicalPort}`,
			command: service.command,
			cwd: service.cwd,
			owner: service.owner,
			mine: false,
			supervisorPid: service.supervisorPid,
			status,
			startedAt: deps.now(),
			entry: undefined,
		});
		endings.set(key, status);
		refresh();
		store.setState({selected: key});
		say('error', `Could not start ${worktreeName}:${logicalPort}: ${statusText(status)}`);
		return hostByKey(key);
	};

	/** Starts the service; the caller has marked its key busy. */
	const startService = async (worktreeName: string, logicalPort: number, command: string[], extra: LaunchExtra = {}): Promise<HostRow | undefined> => {
		const tree = worktreeByName(worktreeName);
		if (!tree) {
			say('error', `No worktree named ${worktreeName}.`);
			return undefined;
		}
		const key = hostKey(project.repoRoot, tree.name, logicalPort);
		try {
			const launched = await launchService({
				project: {repoRoot: project.repoRoot, worktree: tree.name, config: project.config},
				logicalPort,
				command,
				cwd: extra.cwd === undefined ? path.resolve(tree.path) : serviceCwd(tree.path, extra.name ?? String(logicalPort), extra.cwd),
				...(extra.env ? {env: extra.env} : {}),
				...(extra.readyGraceMs !== undefined ? {readyGraceMs: extra.readyGraceMs} : {}),
				owner: 'ui',
				output: 'file',
				color: true,
			});
			const buffer = bufferFor(key);
			if (buffer.size > 0 || buffer.pending) ingest(key, '\u001B[2m── launched ──\u001B[0m\n');
			if (!launched.supervised.entry) return await notStarted(key, tree.name, logicalPort, launched);
			adopt(key, launched.supervised);
			const direct = `http://localhost:${launched.service.actualPort}`;
			say('info', `Started ${tree.name}:${logicalPort} -> :${launched.service.actualPort} (${command.join(' ')})  ${launched.service.hostname}:${logicalPort}`);
			if (launched.traefik.state === 'unavailable') say('warn', `${launched.traefik.reason} Routing is off until Traefik runs; use ${direct}.`);
			refresh();
			store.setState({selected: key});
			followers.syncCompose();
			return hostByKey(key);
		} catch (error) {
			const text = error instanceof Error ? error.message : String(error);
			say('error', `Could not start ${tree.name}:${logicalPort}: ${text}`);
			return undefined;
		}
	};

	const launch = async (worktreeName: string, logicalPort: number, command: string[], extra?: LaunchExtra): Promise<HostRow | undefined> => {
		const key = hostKey(project.repoRoot, worktreeName, logicalPort);
		const busy = store.getState().busy[key];
		if (busy) {
			say('warn', `${worktreeName}:${logicalPort} is busy (${busy}); try again when it is done.`, `busy:${key}`);
			return undefined;
		}
		ctx.setBusy(key, 'starting…');
		try {
			return await startService(worktreeName, logicalPort, command, extra);
		} finally {
			ctx.clearBusy(key);
		}
	};

	const stop = async (key?: string) => {
		const host = hostByKey(key);
		if (!host) return say('warn', 'Select a host service to stop.', 'selection');
		if (!host.entry || !isLive(host.status)) {
			// An ended row: stop again clears it from the list.
			remembered.delete(host.key);
			endings.delete(host.key);
			followers.forget(host.key);
			buffers.delete(host.key);
			refresh();
			return say('info', `Removed ${host.branch}:${host.logicalPort} from the list.`);
		}
		const entry = fresh(host.entry);
		await withBusy(host.key, 'stopping…', async () => {
			// Marked here, not before: withBusy does nothing when the key is busy (mid-restart).
			stoppedByUs.add(host.key);
			const supervised = owned.get(host.key);
			try {
				if (supervised) await supervised.stop();
				else await stopService(entry);
			} catch (error) {
				stoppedByUs.delete(host.key);
				throw error;
			}
			say('info', `Stopped ${host.branch}:${host.logicalPort} (pid ${entry.pid}).`);
		});
	};

	const restart = async (key?: string) => {
		const host = hostByKey(key);
		if (!host) return say('warn', 'Select a host service to restart.', 'selection');
		const label = `${host.branch}:${host.logicalPort}`;
		const supervised = owned.get(host.key);
		if (supervised && host.entry) {
			await withBusy(host.key, 'restarting…', async () => {
				await supervised.restart();
				say('info', `Restarted ${label} (same command, port :${host.actualPort}).`);
			});
			return;
		}
		if (host.entry && host.owner === 'run' && isLive(host.status)) {
			if (await askRestart(fresh(host.entry))) say('info', `Asked the port run of ${label} (pid ${host.supervisorPid}) to restart it in place.`);
			else say('error', `Could not reach the port run of ${label} (pid ${host.supervisorPid}).`);
			return;
		}
		if (host.entry && host.owner === 'ui' && isSupervisorAlive(host.entry)) {
			return say('warn', `${label} belongs to another port ui (pid ${host.supervisorPid}); restart it there.`);
		}
		if (host.repo !== project.repoRoot) return say('warn', `${label} belongs to ${host.repo}; restart it from there.`);
		// Ended, or left running by a dashboard that is gone: (re)start it here, owned by us.
		await withBusy(host.key, 'restarting…', async () => {
			if (host.entry) await stopService(fresh(host.entry));
			// Still marked busy: a concurrent launch of the same key is refused meanwhile.
			await startService(host.branch, host.logicalPort, host.command);
		});
	};

	const forceKill = (key?: string) => {
		const host = hostByKey(key);
		if (!host?.entry || !isLive(host.status)) return say('warn', 'Select a running host service to force-kill.', 'selection');
		const supervised = owned.get(host.key);
		const sent = supervised ? supervised.kill() : killService(fresh(host.entry));
		if (!sent) return say('error', `Could not kill ${host.branch}:${host.logicalPort} (pid ${host.pid}).`);
		// Only once the signal went out: a service that then ends by itself did not end by us.
		stoppedByUs.add(host.key);
		say('info', `Sent SIGKILL to ${host.branch}:${host.logicalPort} (process group ${host.pid}).`);
		if (!supervised) void stopService(fresh(host.entry)).then(refresh, refresh);
	};

	return {launch, stop, restart, forceKill};
}

function endingOf(info: ExitInfo, stoppedByUs: boolean, program?: string): HostStatus {
	if (stoppedByUs) return {kind: 'stopped'};
	const what = program ? `: ${program}` : '';
	if (info.spawnError === 'ENOENT') return {kind: 'exited', code: exitCodeFor(info), detail: `command not found${what}`};
	if (info.spawnError) return {kind: 'exited', code: exitCodeFor(info), detail: `cannot execute${what} (${info.spawnError})`};
	if (info.signal) return {kind: 'crashed', detail: info.signal};
	return {kind: 'exited', code: info.code ?? 1};
}
