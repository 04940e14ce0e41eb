// Builds the worktree and host rows from the registry, git worktrees and the last docker
// snapshot, and keeps them current: registry watching, docker polling and a one-second tick.
import {watch, type FSWatcher} from 'node:fs';
import {composeProjectInUse} from '../compose/registered.js';
import {belongsTo, type ComposeContainer, type DockerSnapshot} from './docker-snapshot.js';
import {portHome} from '../paths.js';
import type {ProcessFacts} from '../supervise/process-info.js';
import type {HostService, Registry} from '../registry/registry.js';
import {registryFacts} from '../supervise/stale.js';
import type {StoreContext} from './context.js';
import type {LogFollowers} from './log-followers.js';
import {declaredKey, hostKey, listRows, worktreeKey} from './selectors.js';
import type {ComposeRow, HostRow, HostStatus, WorktreeRow} from './types.js';

export interface Refresher {
	refresh(): void;
	pollDocker(): Promise<void>;
	/** Starts watching the registry, polling docker and ticking; returns a function that stops them. */
	start(): () => void;
}

export function createRefresher(ctx: StoreContext, followers: LogFollowers): Refresher {
	const {store, deps, owned, endings, stoppedByUs, remembered, say, unsay} = ctx;
	const {project, now, readRegistry: read, listWorktrees: worktreesOf, childAlive: isChildAlive, supervisorAlive: isSupervisorAlive, dockerSnapshot: snapshotDocker} = deps;
	let containers: ComposeContainer[] = [];
	let pollInFlight: Promise<void> | undefined;
	// Timers call refresh and pollDocker: their failures become messages, once until they recover.
	let refreshFailure: string | undefined;
	let dockerFailure: string | undefined;
	const textOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

	const hostRowFrom = (entry: HostService, facts: ProcessFacts): HostRow => {
		const key = hostKey(entry.repo, entry.branch, entry.logicalPort);
		const mine = owned.has(key) && owned.get(key)!.identity.id === entry.id;
		const child = isChildAlive(entry, facts);
		const supervisor = mine || isSupervisorAlive(entry, facts);
		const status: HostStatus = child ? (supervisor ? {kind: 'running'} : {kind: 'left-running'}) : {kind: 'restarting'};
		return {
			key,
			repo: entry.repo,
			branch: entry.branch,
			logicalPort: entry.logicalPort,
			actualPort: entry.actualPort,
			pid: entry.pid,
			hostname: entry.hostname,
			url: `http://${entry.hostname}:${entry.logicalPort}`,
			command: entry.command,
			cwd: entry.cwd,
			owner: entry.owner,
			mine,
			supervisorPid: entry.supervisorPid,
			status,
			startedAt: Date.parse(entry.startedAt) || now(),
			entry,
		};
	};

	const refresh = () => {
		if (ctx.disposed) return;
		try {
			rebuild();
			if (refreshFailure !== undefined) unsay('refresh');
			refreshFailure = undefined;
		} catch (error) {
			const text = textOf(error);
			if (text !== refreshFailure) say('error', text, 'refresh');
			refreshFailure = text;
		}
	};

	const rebuild = () => {
		const registry: Registry = read();
		const trees = worktreesOf(project.repoRoot);
		const live = new Map<string, HostRow>();
		// Every second: one pass over all pids (one ps on macOS, not two per service).
		const facts = registryFacts(registry);
		for (const entry of registry.hostServices) {
			const row = hostRowFrom(entry, facts);
			if (row.status.kind === 'restarting' && !row.mine && !isSupervisorAlive(entry, facts)) continue; // stale
			live.set(row.key, row);
		}
		// Services we saw before and that are gone now stay listed with how they ended.
		for (const [key, row] of remembered) {
			if (live.has(key)) continue;
			const ending = endings.get(key) ?? (stoppedByUs.has(key) ? {kind: 'stopped'} : {kind: 'ended'});
			live.set(key, {...row, entry: undefined, mine: false, status: ending});
		}
		remembered.clear();
		for (const [key, row] of live) remembered.set(key, row);
		followers.syncFiles([...live.values()]);

		const rows = [...live.values()].sort((a, b) => a.logicalPort - b.logicalPort);
		const worktrees: WorktreeRow[] = trees.map(tree => {
			const composeProject = composeProjectInUse(registry, project.repoRoot, tree.name);
			const compose = containers
				.filter(c => belongsTo(c, composeProject, tree.path))
				.sort((a, b) => a.service.localeCompare(b.service))
				.map(
					(c): ComposeRow => ({
						key: `compose:${c.project}:${c.service}:${c.name}`,
						project: c.project,
						service: c.service,
						container: c.name,
						state: c.state,
						status: c.status,
						ports: c.routedPorts.length > 0 ? c.routedPorts : c.publishedPorts,
						url: c.routedPorts[0] ? `http://${tree.name}.${project.config.domain}:${c.routedPorts[0]}` : c.publishedPorts[0] ? `http://localhost:${c.publishedPorts[0]}` : undefined,
					}),
				);
			const mine = rows.filter(r => r.repo === project.repoRoot && r.branch === tree.name);
			return {
				key: worktreeKey(tree.name),
				name: tree.name,
				path: tree.path,
				branch: tree.branch,
				isMain: tree.isMain,
				current: tree.name === project.worktree,
				composeProject,
				compose,
				hosts: mine,
				// Declared but never started here (or removed): a row you can start with r (or all with A).
				declared: Object.entries(project.config.services ?? {})
					.filter(([, service]) => !mine.some(h => h.logicalPort === service.port))
					.map(([name, service]) => ({key: declaredKey(tree.name, name), name, service})),
			};
		});
		const inTrees = new Set(worktrees.flatMap(w => w.hosts.map(h => h.key)));
		const otherHosts = rows.filter(r => !inTrees.has(r.key)).sort((a, b) => a.repo.localeCompare(b.repo) || a.branch.localeCompare(b.branch) || a.logicalPort - b.logicalPort);
		store.setState(s => {
			const next = {...s, worktrees, otherHosts, now: now()};
			const keys = listRows(next).filter(r => r.kind !== 'heading');
			if (!keys.some(r => r.key === s.selected)) next.selected = keys[0]?.key ?? '';
			return next;
		});
		followers.syncCompose();
	};

	const pollDocker = async () => {
		if (pollInFlight) return pollInFlight;
		pollInFlight = (async () => {
			let snapshot: DockerSnapshot;
			try {
				snapshot = await snapshotDocker();
				if (dockerFailure !== undefined) unsay('docker');
				dockerFailure = undefined;
			} catch (error) {
				const reason = textOf(error);
				if (reason !== dockerFailure) say('error', `Could not read Docker state: ${reason}`, 'docker');
				dockerFailure = reason;
				snapshot = {ok: false, reason, traefik: {state: 'unavailable', reason}};
			}
			if (ctx.disposed) return;
			containers = snapshot.ok ? snapshot.containers : [];
			store.setState({traefik: snapshot.traefik, docker: snapshot.ok ? {ok: true} : {ok: false, reason: snapshot.reason}});
			refresh();
		})()
			.catch((error: unknown) => say('error', textOf(error)))
			.finally(() => {
				pollInFlight = undefined;
			});
		return pollInFlight;
	};

	const start = () => {
		const timers: NodeJS.Timeout[] = [];
		let watcher: FSWatcher | undefined;
		let debounce: NodeJS.Timeout | undefined;
		if (deps.watchRegistry !== false) {
			try {
				// The registry is replaced by rename: watch the directory, not the file's inode.
				watcher = watch(portHome(), {persistent: false}, (_event, file) => {
					if (file && !String(file).startsWith('registry.json')) return;
					if (debounce) return;
					debounce = setTimeout(() => {
						debounce = undefined;
						refresh();
					}, 30);
				});
				watcher.on('error', () => {});
			} catch {
				// No $PORT_HOME yet: the poll below still refreshes.
			}
		}
		refresh();
		void pollDocker();
		timers.push(setInterval(() => void pollDocker(), deps.pollMs ?? 2000));
		// Uptimes and liveness (a `port run` child can die without a registry write yet).
		timers.push(setInterval(() => refresh(), 1000));
		return () => {
			watcher?.close();
			if (debounce) clearTimeout(debounce);
			for (const timer of timers) clearInterval(timer);
		};
	};

	return {refresh, pollDocker, start};
}
