import {existsSync} from 'node:fs';
import {docker, dockerAvailability, explainFailure} from '../docker/cli.js';
import {listWorktrees, type Project} from '../git/project.js';
import {mapLimit} from '../map-limit.js';
import {hostnameFor} from '../names.js';
import {readRegistry} from '../registry/registry.js';
import {readinessText} from '../supervise/readiness.js';
import {traefikState, type TraefikState} from '../traefik/container.js';
import {tcpAddress, urlOf} from './addresses.js';
import {composeProjectInUse, findProjectEntry, hostServicesOf} from './registered.js';

/** `port status`: every worktree's containers (one `docker compose ps` each) and host services. */

export interface ContainerRow {
	Name?: string;
	Service?: string;
	State?: string;
	Status?: string;
	Health?: string;
}

/** `docker compose ps --format json`: one object per line (Compose <= 2.20-ish) or one array (newer). */
export function parsePsOutput(stdout: string): ContainerRow[] {
	const text = stdout.trim();
	if (text === '') return [];
	if (text.startsWith('[')) return JSON.parse(text) as ContainerRow[];
	return text
		.split('\n')
		.map(line => line.trim())
		.filter(line => line !== '')
		.map(line => JSON.parse(line) as ContainerRow);
}

export interface ServiceStatus {
	service: string;
	container: string | null;
	state: string;
	status: string;
	urls: string[];
	/** Non-HTTP ports: `localhost:<host port>` (not routed). */
	tcp: string[];
}

export interface HostServiceStatus {
	logicalPort: number;
	actualPort: number;
	pid: number;
	command: string[];
	url: string;
	direct: string;
	readiness?: string;
}

export interface WorktreeStatus {
	repo: string;
	worktree: string;
	path: string;
	branch: string | null;
	current: boolean;
	composeProject: string;
	/** Registered by `port up` (and not yet `port down`). */
	up: boolean;
	services: ServiceStatus[];
	hostServices: HostServiceStatus[];
	/** Why the compose state could not be read. */
	error?: string;
}

export interface StatusReport {
	traefik: TraefikState;
	docker: {available: boolean; reason?: string};
	worktrees: WorktreeStatus[];
}

export const statusConcurrency = 4;

type Target = Pick<WorktreeStatus, 'repo' | 'worktree' | 'path' | 'branch' | 'current'> & {domain: string};

/**
 * Status of every worktree of `project`'s repository (or, outside a repository, of every
 * registered project): one `docker compose ps` per worktree, at most `statusConcurrency` at a time.
 */
export async function collectStatus(project: Project | undefined): Promise<StatusReport> {
	const registry = readRegistry();
	const targets: Target[] = [];
	if (project) {
		for (const w of listWorktrees(project.repoRoot)) {
			targets.push({repo: project.repoRoot, worktree: w.name, path: w.path, branch: w.branch ?? null, current: w.path === project.worktreePath, domain: project.config.domain});
		}
	}
	const known = new Set(targets.map(t => `${t.repo}\n${t.worktree}`));
	const add = (repo: string, worktree: string, p: string, domain: string) => {
		if (project && repo !== project.repoRoot) return;
		const key = `${repo}\n${worktree}`;
		if (known.has(key)) return;
		known.add(key);
		targets.push({repo, worktree, path: p, branch: null, current: false, domain});
	};
	for (const p of registry.projects) add(p.repo, p.worktree, p.path, p.domain);
	for (const s of registry.hostServices) add(s.repo, s.branch, s.cwd, s.hostname.slice(s.branch.length + 1));

	const [availability, traefik] = await Promise.all([dockerAvailability(), traefikState()]);
	const worktrees = await mapLimit(targets, statusConcurrency, async target => {
		const entry = findProjectEntry(registry, {repoRoot: target.repo, worktree: target.worktree});
		const hostname = hostnameFor(target.worktree, entry?.domain ?? target.domain);
		const status: WorktreeStatus = {
			repo: target.repo,
			worktree: target.worktree,
			path: target.path,
			branch: target.branch,
			current: target.current,
			composeProject: composeProjectInUse(registry, target.repo, target.worktree),
			up: entry !== undefined,
			services: [],
			hostServices: hostServicesOf(registry, target.repo, target.worktree).map(s => ({
				logicalPort: s.logicalPort,
				actualPort: s.actualPort,
				pid: s.pid,
				command: s.command,
				url: urlOf(s.hostname, s.logicalPort),
				direct: `http://localhost:${s.actualPort}`,
				// starting | ready | not listening on <port> (listens on ...); absent: unknown.
				readiness: readinessText(s.readiness, s.actualPort),
			})),
		};
		const urlsOf = (service: string) => (entry?.routes ?? []).filter(r => r.service === service).map(r => urlOf(hostname, r.published));
		const tcpOf = (service: string) => (entry?.tcp ?? []).filter(t => t.service === service).map(t => tcpAddress(t.hostPort));
		let rows: ContainerRow[] = [];
		if (!availability.ok) {
			status.error = availability.reason;
		} else {
			const ps = await docker(['compose', '-p', status.composeProject, 'ps', '--all', '--format', 'json'], {cwd: existsSync(target.path) ? target.path : undefined});
			if (ps.exitCode !== 0) status.error = explainFailure(ps, 'docker compose ps').message;
			else {
				try {
					rows = parsePsOutput(ps.stdout);
				} catch {
					status.error = `unreadable output of docker compose ps: ${ps.stdout.slice(0, 80)}`;
				}
			}
		}
		for (const row of rows) {
			const service = row.Service ?? row.Name ?? '?';
			status.services.push({service, container: row.Name ?? null, state: row.State ?? 'unknown', status: row.Status ?? '', urls: urlsOf(service), tcp: tcpOf(service)});
		}
		for (const service of new Set([...(entry?.routes ?? []), ...(entry?.tcp ?? [])].map(r => r.service))) {
			if (!status.services.some(s => s.service === service)) status.services.push({service, container: null, state: 'missing', status: 'no container', urls: urlsOf(service), tcp: tcpOf(service)});
		}
		status.services.sort((a, b) => a.service.localeCompare(b.service));
		return status;
	});
	return {traefik, docker: availability.ok ? {available: true} : {available: false, reason: availability.reason}, worktrees};
}
