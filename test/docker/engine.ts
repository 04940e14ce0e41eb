import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {defaultTraefikImage} from '../../source/core/traefik/static-files.js';

/** Gate of the real-engine suite: it FAILS (never skips) when no engine is reachable, saying what is missing. */

export function engineProblem(): string | undefined {
	const version = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], {encoding: 'utf8'});
	if (version.error) return `no docker CLI on PATH (${version.error.message})`;
	if (version.status !== 0) return `Docker engine not reachable: ${version.stderr.trim().split('\n')[0]}`;
	const compose = spawnSync('docker', ['compose', 'version', '--short'], {encoding: 'utf8'});
	if (compose.status !== 0) return `docker compose (v2) not available: ${compose.stderr.trim().split('\n')[0]} (export DOCKER_CONFIG=/tmp/port-ci-docker-config?)`;
	// The real Traefik, tagged as port's default image: port runs as for a user and never pulls.
	for (const image of ['port-test/busybox:local', defaultTraefikImage]) {
		if (spawnSync('docker', ['image', 'inspect', image], {encoding: 'utf8'}).status !== 0) return `test image ${image} missing (run .ci/docker/setup.sh)`;
	}
	return undefined;
}

/** Directory of the docker CLI, put on the PATH `port` runs with. */
export const dockerDir = path.dirname(execFileSync('sh', ['-c', 'command -v docker || echo /usr/bin/docker'], {encoding: 'utf8'}).trim());

export const dockerJson = <T>(...args: string[]): T => JSON.parse(execFileSync('docker', args, {encoding: 'utf8'})) as T;
export const dockerText = (...args: string[]) => spawnSync('docker', args, {encoding: 'utf8'});

/**
 * The suite needs its own port-traefik: one from a live PORT_HOME is refused; one left by a run
 * that was killed (its PORT_HOME is gone) is removed.
 */
export function claimTraefikContainer(): void {
	const existing = dockerText('inspect', '--type', 'container', '--format', '{{index .Config.Labels "com.docker.compose.project.config_files"}}', 'port-traefik');
	if (existing.status !== 0) return;
	const file = existing.stdout.trim();
	if (file !== '' && existsSync(file)) throw new Error(`A port-traefik container from ${file} is running on this engine; stop it first (the suite needs its own).`);
	dockerText('rm', '-f', 'port-traefik');
}

/** True when nothing listens on 127.0.0.1:<port>. */
export function portFree(port: number): Promise<boolean> {
	return new Promise(resolve => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
	});
}
