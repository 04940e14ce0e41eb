import path from 'node:path';
import getPort, {portNumbers} from 'get-port';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {finished, startPort, type CliEnv} from '../helpers/cli.js';
import {addWorktree, makeRepo, repoDir, runCleanups, tempDir, waitFor} from '../helpers/env.js';
import {claimTraefikContainer, dockerDir, dockerJson, dockerText, engineProblem} from './engine.js';
import {get, listenAddresses, writeDevServer} from './routing-helpers.js';

/**
 * The bridge-network Traefik (the design for Docker Desktop, PORT_TRAEFIK_NETWORK=bridge) run on
 * Linux with the real proxy: the evidence behind host networking on Linux. Through the docker0
 * gateway (host.docker.internal) Traefik reaches a server on 0.0.0.0 but NOT one listening only
 * on 127.0.0.1; published ports stay on loopback.
 */

const problem = engineProblem();
const runs: Array<ReturnType<typeof startPort>> = [];
let env: CliEnv;
let networkExisted = false;

describe('real Traefik on a bridge network (Docker Desktop design), on Linux', () => {
	beforeAll(() => {
		if (problem) throw new Error(`The real-engine suite needs Docker: ${problem}. Provision with .ci/docker/setup.sh and export DOCKER_CONFIG.`);
		claimTraefikContainer();
		networkExisted = dockerText('network', 'inspect', 'traefik-network').status === 0;
		env = {portHome: tempDir('port-e2e-home-'), dockerBin: dockerDir, extra: {DOCKER_CONFIG: process.env['DOCKER_CONFIG'] ?? '', PORT_TRAEFIK_NETWORK: 'bridge'}};
	});

	afterAll(async () => {
		if (problem) return;
		for (const child of runs) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
		await Promise.all(runs.map(child => finished(child)));
		const traefik = dockerText('inspect', '--type', 'container', '--format', '{{index .Config.Labels "com.docker.compose.project.config_files"}}', 'port-traefik');
		if (traefik.status === 0 && env && traefik.stdout.startsWith(env.portHome)) dockerText('rm', '-f', 'port-traefik');
		if (!networkExisted) dockerText('network', 'rm', 'traefik-network');
		runCleanups();
	});

	it('reaches a host server on 0.0.0.0 via host.docker.internal, not one on 127.0.0.1 only (502); publishes on 127.0.0.1', async () => {
		const logical = await getPort({port: portNumbers(46_000, 48_000)});
		const repo = makeRepo('bridged');
		const [wild, loop] = [addWorktree(repo, 'wild'), addWorktree(repo, 'loop')];
		const fixture = path.join(repoDir, 'test', 'fixtures', 'server.cjs'); // listens on 0.0.0.0
		runs.push(startPort(['run', String(logical), '--', 'node', fixture, 'wild'], wild, env));
		await waitFor(async () => (await get(logical, 'wild.port')).status === 200, {what: 'the 0.0.0.0 server through Traefik', timeout: 60_000});
		runs.push(startPort(['run', String(logical), '--', 'node', writeDevServer(), 'loop'], loop, env));
		await waitFor(async () => (await get(logical, 'loop.port')).status === 502, {what: 'Bad Gateway for the loopback-only server', timeout: 15_000});

		const t = dockerJson<Array<{HostConfig: {NetworkMode: string; PortBindings: Record<string, Array<{HostIp: string; HostPort: string}>>; ExtraHosts: string[]}; NetworkSettings: {Networks: Record<string, unknown>}}>>('inspect', '--type', 'container', 'port-traefik')[0]!;
		expect(t.HostConfig.NetworkMode).not.toBe('host');
		expect(Object.keys(t.NetworkSettings.Networks)).toEqual(['traefik-network']);
		expect(t.HostConfig.PortBindings).toEqual({[`${logical}/tcp`]: [{HostIp: '127.0.0.1', HostPort: String(logical)}]});
		expect(t.HostConfig.ExtraHosts).toContain('host.docker.internal:host-gateway');
		expect(listenAddresses(logical)).toEqual(['127.0.0.1']);
	});
});
