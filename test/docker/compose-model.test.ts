import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import getPort, {portNumbers} from 'get-port';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {composeProjectName} from '../../source/core/compose/names.js';
import {port, type CliEnv} from '../helpers/cli.js';
import {git, makeRepo, runCleanups, tempDir, waitFor} from '../helpers/env.js';
import {claimTraefikContainer, dockerDir, dockerJson, dockerText, engineProblem} from './engine.js';
import {get} from './routing-helpers.js';

/**
 * Compose as `docker compose` itself reads it, against the real engine: ports that come from
 * `extends`, a top-level `include:`, `compose.override.yaml` and a profile are all taken off the
 * host and routed through the real Traefik; a fixed `container_name` stays reachable by that
 * name from another service; `.port/override-compose.yml` is merged last.
 */

const unique = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const httpServer = `nc -ll -p 8080 -e sh -c 'while read -r l; do [ $\${#l} -le 1 ] && break; done; printf "HTTP/1.1 200 OK\\r\\nContent-Length: 7\\r\\nConnection: close\\r\\n\\r\\n%s\\n" "$$NAME"'`;
const serve = (name: string) => `    image: port-test/busybox:local
    init: true
    environment: {NAME: ${name}}
    command: ["sh", "-c", ${JSON.stringify(httpServer)}]
`;
const ports = {
	ext: await getPort({port: portNumbers(30_000, 33_000)}),
	inc: await getPort({port: portNumbers(33_001, 36_000)}),
	over: await getPort({port: portNumbers(36_001, 39_000)}),
	prof: await getPort({port: portNumbers(40_000, 44_000)}),
};
const dbName = `e2e-db-${unique}`;
const files: Record<string, string> = {
	'compose.yaml': `include:
  - inc/compose.yaml
services:
  extweb:
    extends: {file: base.yaml, service: web}
  db:
    image: port-test/busybox:local
    init: true
    container_name: ${dbName}
    command: ["sh", "-c", "nc -ll -p 5432 -e cat"]
  client:
    image: port-test/busybox:local
    init: true
    command: ["sleep", "600"]
  profweb:
    profiles: [extra]
    ports: ["${ports.prof}:8080"]
${serve('profwb')}`,
	'base.yaml': `services:\n  web:\n    ports: ["${ports.ext}:8080"]\n${serve('extweb')}`,
	'inc/compose.yaml': `services:\n  incweb:\n    ports: ["${ports.inc}:8080"]\n${serve('incweb')}`,
	'compose.override.yaml': `services:\n  overweb:\n    ports: ["${ports.over}:8080"]\n${serve('overwb')}`,
	'.port/override-compose.yml': 'services:\n  client:\n    environment: {FROM_USER_LAYER: "yes"}\n',
};

interface Inspect {
	Config: {Env: string[]};
	HostConfig: {PortBindings: Record<string, unknown[]> | null};
}

let env: CliEnv;
let repo: string;
let project: string;
let networkExisted = false;
const problem = engineProblem();
const container = (service: string) => `${project}-${service}-1`;
const inspect = (name: string) => dockerJson<Inspect[]>('inspect', '--type', 'container', name)[0]!;
let last: unknown;
const through = (published: number, expected: string) =>
	waitFor(
		async () => {
			const r = await get(published, `${path.basename(repo)}.port`);
			last = r;
			return r.status === 200 && r.body === `${expected}\n` && r;
		},
		{what: `${expected} through Traefik on ${published}`, timeout: 20_000},
	).catch((error: Error) => {
		throw new Error(`${error.message}; last reply ${JSON.stringify(last)}`);
	});

describe('real Docker engine: the model Compose resolves', () => {
	beforeAll(async () => {
		if (problem) throw new Error(`The real-engine suite needs Docker: ${problem}. Provision with .ci/docker/setup.sh and export DOCKER_CONFIG.`);
		claimTraefikContainer();
		networkExisted = dockerText('network', 'inspect', 'traefik-network').status === 0;
		env = {portHome: tempDir('port-e2e-home-'), dockerBin: dockerDir, extra: {DOCKER_CONFIG: process.env['DOCKER_CONFIG'] ?? ''}};
		repo = makeRepo(`e2e-model-${unique}`);
		expect((await port(['init'], repo, env)).code).toBe(0);
		for (const [file, text] of Object.entries(files)) {
			mkdirSync(path.dirname(path.join(repo, file)), {recursive: true});
			writeFileSync(path.join(repo, file), text);
		}
		git(repo, 'add', '.');
		git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'compose');
		project = composeProjectName(repo, path.basename(repo));
	});

	afterAll(async () => {
		if (problem) return;
		if (project) dockerText('compose', '-p', project, 'down', '-t', '1', '--remove-orphans');
		const traefik = dockerText('inspect', '--type', 'container', '--format', '{{index .Config.Labels "com.docker.compose.project.config_files"}}', 'port-traefik');
		if (traefik.status === 0 && env && traefik.stdout.startsWith(env.portHome)) dockerText('rm', '-f', 'port-traefik');
		if (!networkExisted) dockerText('network', 'rm', 'traefik-network');
		await runCleanups();
	});

	it('ports from extends, include: and compose.override.yaml are routed, none bound on the host; an inactive profile is left out', async () => {
		const up = await port(['up'], repo, env);
		expect(up.code, up.stderr).toBe(0);
		for (const [service, published, name] of [['extweb', ports.ext, 'extweb'], ['incweb', ports.inc, 'incweb'], ['overweb', ports.over, 'overwb']] as const) {
			expect(up.stdout).toContain(`:${published}`);
			expect(Object.values(inspect(container(service)).HostConfig.PortBindings ?? {}).flat(), service).toEqual([]);
			await through(published, name);
		}
		expect(up.stdout).not.toContain(`:${ports.prof}`);
		expect(dockerText('inspect', container('profweb')).status).not.toBe(0);
	});

	it('a fixed container_name is renamed but still reached by that name; .port/override-compose.yml is merged', () => {
		expect(dockerText('inspect', dbName).status).not.toBe(0);
		const reply = dockerText('exec', container('client'), 'sh', '-c', `echo ping | nc -w 3 ${dbName} 5432`);
		expect(reply.stdout.trim(), reply.stderr).toBe('ping');
		expect(inspect(container('client')).Config.Env).toContain('FROM_USER_LAYER=yes');
	});

	it('port compose --profile <p> up: the profile\'s services bind no host port either', async () => {
		const up = await port(['compose', '--profile', 'extra', 'up', '-d', 'profweb'], repo, env);
		expect(up.code, up.stderr).toBe(0);
		expect(inspect(container('profweb')).HostConfig.PortBindings ?? {}).toEqual({});
	});

	it('COMPOSE_PROFILES in the environment activates the profile: its port is routed too', async () => {
		const up = await port(['up'], repo, {...env, extra: {...env.extra, COMPOSE_PROFILES: 'extra'}});
		expect(up.code, up.stderr).toBe(0);
		expect(up.stdout).toContain(`:${ports.prof}`);
		expect(Object.values(inspect(container('profweb')).HostConfig.PortBindings ?? {}).flat()).toEqual([]);
		await through(ports.prof, 'profwb');
	});
});
