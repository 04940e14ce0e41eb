import path from 'node:path';
import {execa} from 'execa';
import {docker, explainFailure} from '../docker/cli.js';
import {PortError} from '../errors.js';
import {traefikContainer} from '../traefik/static-files.js';
import type {TraefikState} from '../traefik/container.js';
import {followCommand, type Follower} from '../logs/follow.js';

/** One container of a Docker Compose project, as the dashboard shows it. */
export interface ComposeContainer {
	id: string;
	name: string;
	/** running, exited, restarting, created, paused, dead */
	state: string;
	status: string;
	project: string;
	service: string;
	workingDir: string;
	/** Logical ports routed through Traefik (from the container's `traefik.*.entrypoints=port<N>` labels). */
	routedPorts: number[];
	/** Host ports published directly (`0.0.0.0:5432->5432/tcp`). */
	publishedPorts: number[];
}

export type DockerSnapshot = {ok: true; traefik: TraefikState; containers: ComposeContainer[]} | {ok: false; traefik: TraefikState; reason: string};

const format = ['{{.ID}}', '{{.Names}}', '{{.State}}', '{{.Status}}', '{{.Label "com.docker.compose.project"}}', '{{.Label "com.docker.compose.service"}}', '{{.Label "com.docker.compose.project.working_dir"}}', '{{.Ports}}', '{{.Labels}}'].join('\t');

/**
 * Everything the dashboard needs from Docker in ONE call: every Compose container (all
 * projects, any state), including Traefik's own. Never throws.
 */
export async function dockerSnapshot(): Promise<DockerSnapshot> {
	let result;
	try {
		result = await docker(['ps', '--all', '--no-trunc', '--filter', 'label=com.docker.compose.project', '--format', format], {timeout: 10_000});
	} catch (error) {
		const reason = error instanceof PortError ? error.message : String(error);
		return {ok: false, reason, traefik: {state: 'unavailable', reason}};
	}
	if (result.exitCode !== 0) {
		const reason = explainFailure(result, 'docker ps').message;
		return {ok: false, reason, traefik: {state: 'unavailable', reason}};
	}
	const containers = parseContainers(result.stdout);
	const traefik = containers.find(c => c.name === traefikContainer);
	return {ok: true, containers: containers.filter(c => c.name !== traefikContainer), traefik: {state: traefik?.state === 'running' ? 'running' : 'stopped'}};
}

export function parseContainers(stdout: string): ComposeContainer[] {
	const out: ComposeContainer[] = [];
	for (const line of stdout.split('\n')) {
		if (line.trim() === '') continue;
		const [id = '', name = '', state = '', status = '', project = '', service = '', workingDir = '', ports = '', labels = ''] = line.split('\t');
		const routedPorts = [...labels.matchAll(/traefik\.http\.routers\.[^=,]+\.entrypoints=port(\d+)/g)].map(m => Number(m[1]));
		const publishedPorts = [...ports.matchAll(/:(\d+)->/g)].map(m => Number(m[1]));
		out.push({id, name, state, status, project, service, workingDir, routedPorts: [...new Set(routedPorts)].sort((a, b) => a - b), publishedPorts: [...new Set(publishedPorts)].sort((a, b) => a - b)});
	}
	return out;
}

/** Does this container belong to the worktree at `worktreePath` (project name or compose working dir)? */
export const belongsTo = (c: ComposeContainer, project: string, worktreePath: string) =>
	c.project === project || (c.workingDir !== '' && path.resolve(c.workingDir) === path.resolve(worktreePath));

/** `docker compose -p <project> logs --follow --tail <n> <service>`, streamed. */
export function followComposeLogs(project: string, service: string, onText: (text: string) => void, onEnd?: (problem?: string) => void, tail = 500): Follower {
	return followCommand('docker', ['compose', '-p', project, 'logs', '--follow', '--tail', String(tail), '--no-log-prefix', service], onText, onEnd);
}

export interface StreamResult {
	ok: boolean;
	exitCode: number;
	/** Last non-empty output line (the result shown in the UI). */
	lastLine: string;
}

/** Runs a command to completion, streaming its combined output; never throws. */
export async function runStreaming(file: string, args: string[], cwd: string, onText: (text: string) => void, env?: Record<string, string>): Promise<StreamResult> {
	let last = '';
	try {
		const child = execa(file, args, {cwd, buffer: false, reject: false, stdin: 'ignore', all: true, env: {CI: 'true', ...env}});
		child.all?.on('data', (chunk: Buffer) => {
			const text = chunk.toString('utf8');
			const line = text.split('\n').map(l => l.trim()).filter(Boolean).pop();
			if (line) last = line;
			onText(text);
		});
		const result = await child;
		return {ok: result.exitCode === 0, exitCode: result.exitCode ?? 1, lastLine: last};
	} catch (error) {
		return {ok: false, exitCode: 1, lastLine: String(error)};
	}
}
