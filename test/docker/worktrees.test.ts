import {execFileSync} from 'node:child_process';
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {Ajv} from 'ajv';
import {parse} from 'yaml';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {parseOverride} from '../../source/core/compose/compose-file.js';
import {composeProjectName} from '../../source/core/compose/project.js';
import {shortHash} from '../../source/core/names.js';
import {port, readRegistryFile, type CliEnv} from '../helpers/cli.js';
import {git, makeRepo, runCleanups, schemasDir, tempDir} from '../helpers/env.js';
import {dockerJson, dockerText, engineProblem, portFree} from './engine.js';

/**
 * The core promise against a real engine: two worktrees run the same compose file, with the
 * same published ports, at the same time, each reachable through Traefik's network.
 */

const unique = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const httpServer = `nc -ll -p 8080 -e sh -c 'while read -r l; do [ $\${#l} -le 1 ] && break; done; printf "HTTP/1.1 200 OK\\r\\nContent-Length: 6\\r\\nConnection: close\\r\\n\\r\\nhello\\n"'`;
const composeFile = `services:
  web:
    image: port-test/busybox:local
    init: true
    ports: ["3000:8080"]
    command: ["sh", "-c", ${JSON.stringify(httpServer.replaceAll('$', '$$'))}]
  db:
    image: port-test/busybox:local
    init: true
    container_name: e2e-db-${unique}
    ports: ["5432:5432"]
    command: ["sh", "-c", "nc -ll -p 5432 -e cat"]
`;

interface Inspect {
	Id: string;
	Name: string;
	State: {Running: boolean};
	Config: {Labels: Record<string, string>};
	HostConfig: {PortBindings: Record<string, Array<{HostPort: string}>> | null; ExtraHosts: string[] | null};
	NetworkSettings: {Networks: Record<string, {IPAddress: string}>; Ports: Record<string, Array<{HostPort: string}> | null>};
	Mounts: Array<{Source: string; Destination: string; RW: boolean}>;
}

/** The fixed container_name made unique per repository and worktree: `<name>-<worktree>-<repo hash>`. */
const dbContainer = (key: string) => `e2e-db-${unique}-feature-${key}-${shortHash(repo, 6)}`;
const inspect = (name: string) => dockerJson<Inspect[]>('inspect', '--type', 'container', name)[0]!;
const projectContainers = (project: string) =>
	dockerText('ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}}').stdout.split('\n').filter(Boolean).sort();

const dockerDir = path.dirname(execFileSync('sh', ['-c', 'command -v docker'], {encoding: 'utf8'}).trim() || '/usr/bin/docker');
let env: CliEnv;
let repo: string;
let trees: {a: string; b: string};
let projects: {a: string; b: string};
let networkExisted = false;
const timings: Record<string, number> = {};

const problem = engineProblem();

// Registered conditionally (not skipped): an opted-out run has one test saying so, nothing else.
describe('real Docker engine: two worktrees, same ports, at once', () => {
	beforeAll(async () => {
		if (problem) throw new Error(`The real-engine suite needs Docker: ${problem}. Provision with .ci/docker/setup.sh and export DOCKER_CONFIG.`);
		const existing = dockerText('inspect', '--type', 'container', '--format', '{{index .Config.Labels "com.docker.compose.project.config_files"}}', 'port-traefik');
		if (existing.status === 0) {
			const file = existing.stdout.trim();
			if (file !== '' && existsSync(file)) throw new Error(`A port-traefik container from ${file} is running on this engine; stop it first (the suite needs its own).`);
			dockerText('rm', '-f', 'port-traefik'); // left by a run whose PORT_HOME is gone
		}
		for (const p of [3000, 5432]) {
			if (!(await portFree(p))) throw new Error(`Host port ${p} is in use; the suite's Traefik publishes it.`);
		}
		networkExisted = dockerText('network', 'inspect', 'traefik-network').status === 0;
		env = {
			portHome: tempDir('port-e2e-home-'),
			dockerBin: dockerDir,
			extra: {DOCKER_CONFIG: process.env['DOCKER_CONFIG'] ?? '', PORT_TRAEFIK_IMAGE: 'port-test/traefik-standin:local'},
		};
		repo = makeRepo(`e2e-${unique}`);
		writeFileSync(path.join(repo, 'docker-compose.yml'), composeFile);
		git(repo, 'add', '.');
		git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'compose');
		expect((await port(['init'], repo, env)).code).toBe(0);
		const a = await port(['enter', 'feature-a'], repo, env);
		const b = await port(['feature-b'], repo, env);
		expect(a.code, a.stderr).toBe(0);
		expect(b.code, b.stderr).toBe(0);
		trees = {a: a.stdout.trim(), b: b.stdout.trim()};
		projects = {a: composeProjectName(repo, 'feature-a'), b: composeProjectName(repo, 'feature-b')};
	});

	afterAll(async () => {
		if (problem) return;
		for (const project of Object.values(projects ?? {})) dockerText('compose', '-p', project, 'down', '-t', '1', '--remove-orphans');
		const traefik = dockerText('inspect', '--type', 'container', '--format', '{{index .Config.Labels "com.docker.compose.project.config_files"}}', 'port-traefik');
		if (traefik.status === 0 && env && traefik.stdout.startsWith(env.portHome)) dockerText('rm', '-f', 'port-traefik');
		if (!networkExisted) dockerText('network', 'rm', 'traefik-network');
		await runCleanups();
		process.stderr.write(`[docker suite timings] ${JSON.stringify(timings)}\n`);
	});

	it('both worktrees port up at the same time; no host port conflict', async () => {
		const started = Date.now();
		const [a, b] = await Promise.all([port(['up'], trees.a, env), port(['up'], trees.b, env)]);
		timings['concurrent up (2 worktrees, ms)'] = Date.now() - started;
		expect(a.code, a.stderr).toBe(0);
		expect(b.code, b.stderr).toBe(0);
		expect(a.stdout).toContain('http://feature-a.port:3000');
		expect(b.stdout).toContain('http://feature-b.port:5432');
		for (const [key, project] of Object.entries(projects)) {
			const names = projectContainers(project);
			expect(names, key).toEqual([`${project}-web-1`, dbContainer(key)].sort());
			for (const name of names) {
				const c = inspect(name);
				expect(c.State.Running, name).toBe(true);
				// No host bindings: the ports are reached through Traefik only.
				expect(Object.values(c.HostConfig.PortBindings ?? {}).flat(), name).toEqual([]);
				expect(Object.values(c.NetworkSettings.Ports ?? {}).flat().filter(Boolean), name).toEqual([]);
			}
		}
		expect(readRegistryFile(env.portHome).projects).toHaveLength(2);
	});

	it('each container carries the right labels and is on traefik-network, reachable from Traefik', () => {
		for (const [key, project] of Object.entries(projects)) {
			const web = inspect(`${project}-web-1`);
			const labels = web.Config.Labels;
			expect(labels['traefik.enable']).toBe('true');
			expect(labels['traefik.docker.network']).toBe('traefik-network');
			const routers = Object.keys(labels).filter(l => l.endsWith('.rule'));
			expect(routers).toHaveLength(1);
			const router = routers[0]!.split('.')[3]!;
			expect(labels[`traefik.http.routers.${router}.rule`]).toBe(`Host(\`feature-${key}.port\`)`);
			expect(labels[`traefik.http.routers.${router}.entrypoints`]).toBe('port3000');
			expect(labels[`traefik.http.services.${router}.loadbalancer.server.port`]).toBe('8080');
			expect(Object.keys(web.NetworkSettings.Networks).sort()).toEqual([`${project}_default`, 'traefik-network'].sort());
			const db = inspect(dbContainer(key));
			expect(db.Config.Labels[`traefik.http.services.${Object.keys(db.Config.Labels).find(l => l.endsWith('.rule'))!.split('.')[3]}.loadbalancer.server.port`]).toBe('5432');
			expect(Object.keys(db.NetworkSettings.Networks)).toContain('traefik-network');
			// Traefik's container reaches the web service over traefik-network.
			const ip = web.NetworkSettings.Networks['traefik-network']!.IPAddress;
			const reply = dockerText('exec', 'port-traefik', 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${ip} 8080`);
			expect(reply.stdout, reply.stderr).toContain('hello');
		}
		const routerNames = Object.values(projects).map(p => Object.keys(inspect(`${p}-web-1`).Config.Labels).find(l => l.endsWith('.rule')));
		expect(new Set(routerNames).size).toBe(2);
	});

	it('the Traefik container: published ports, read-only mounts, host.docker.internal, network', () => {
		const t = inspect('port-traefik');
		expect(t.State.Running).toBe(true);
		const published = Object.entries(t.HostConfig.PortBindings ?? {}).map(([k, v]) => `${v[0]?.HostPort}->${k}`).sort();
		expect(published).toEqual(['3000->3000/tcp', '5432->5432/tcp']);
		const mount = (destination: string) => t.Mounts.find(m => m.Destination === destination);
		expect(mount('/var/run/docker.sock')).toMatchObject({RW: false});
		expect(mount('/etc/traefik/traefik.yml')).toMatchObject({RW: false, Source: path.join(env.portHome, 'traefik', 'traefik.yml')});
		expect(mount('/etc/traefik/dynamic')).toMatchObject({RW: false, Source: path.join(env.portHome, 'traefik', 'dynamic')});
		expect(t.HostConfig.ExtraHosts).toContain('host.docker.internal:host-gateway');
		expect(dockerText('exec', 'port-traefik', 'grep', 'host.docker.internal', '/etc/hosts').status).toBe(0);
		expect(Object.keys(t.NetworkSettings.Networks)).toEqual(['traefik-network']);
	});

	it('generated override, traefik.yml and Traefik compose file validate against the schemas', () => {
		const load = (name: string) => JSON.parse(readFileSync(path.join(schemasDir, name), 'utf8')) as object;
		const composeSchema = new Ajv({validateSchema: false, strict: false}).compile(load('compose-spec.json'));
		const traefikSchema = new Ajv({strict: false}).compile(load('traefik-v3.json'));
		for (const tree of Object.values(trees)) {
			const text = readFileSync(path.join(tree, '.port', 'override.yml'), 'utf8');
			expect(text).toMatch(/ports: !reset \[\]/);
			expect(composeSchema(parseOverride(text)), JSON.stringify(composeSchema.errors)).toBe(true);
		}
		const staticConfig = parse(readFileSync(path.join(env.portHome, 'traefik', 'traefik.yml'), 'utf8')) as {entryPoints: Record<string, unknown>};
		expect(traefikSchema(staticConfig), JSON.stringify(traefikSchema.errors)).toBe(true);
		expect(Object.keys(staticConfig.entryPoints).sort()).toEqual(['port3000', 'port5432']);
		const traefikCompose = parse(readFileSync(path.join(env.portHome, 'traefik', 'docker-compose.yml'), 'utf8')) as object;
		expect(composeSchema(traefikCompose), JSON.stringify(composeSchema.errors)).toBe(true);
	});

	it('port status --json reports both worktrees with running services and URLs', async () => {
		const result = await port(['status', '--json'], repo, env);
		expect(result.code, result.stderr).toBe(0);
		const report = JSON.parse(result.stdout) as {traefik: {state: string}; worktrees: Array<{worktree: string; up: boolean; services: Array<{service: string; state: string; urls: string[]}>}>};
		expect(report.traefik.state).toBe('running');
		for (const key of ['a', 'b']) {
			const w = report.worktrees.find(x => x.worktree === `feature-${key}`)!;
			expect(w.up).toBe(true);
			expect(w.services.map(s => `${s.service} ${s.state} ${s.urls.join(',')}`)).toEqual([
				`db running http://feature-${key}.port:5432`,
				`web running http://feature-${key}.port:3000`,
			]);
		}
	});

	it('a second port up is idempotent (same containers, one registry entry)', async () => {
		const before = inspect(`${projects.a}-web-1`).Id;
		const started = Date.now();
		const again = await port(['up'], trees.a, env);
		timings['second up (ms)'] = Date.now() - started;
		expect(again.code, again.stderr).toBe(0);
		expect(inspect(`${projects.a}-web-1`).Id).toBe(before);
		expect(readRegistryFile(env.portHome).projects).toHaveLength(2);
	});

	it('port compose runs docker compose for this worktree only', async () => {
		const result = await port(['compose', 'ps', '--format', '{{.Name}}'], trees.b, env);
		expect(result.code).toBe(0);
		// stdout is inherited by docker compose; the run helper captures it.
		expect(result.stdout).toContain(`${projects.b}-web-1`);
		expect(result.stdout).not.toContain(projects.a);
	});

	it('port down in one worktree leaves the other running', async () => {
		const started = Date.now();
		const down = await port(['down'], trees.a, env);
		timings['down (ms)'] = Date.now() - started;
		expect(down.code, down.stderr).toBe(0);
		expect(projectContainers(projects.a)).toEqual([]);
		expect(projectContainers(projects.b).map(n => inspect(n).State.Running)).toEqual([true, true]);
		expect(inspect('port-traefik').State.Running).toBe(true);
		expect((readRegistryFile(env.portHome).projects as Array<{worktree: string}>).map(p => p.worktree)).toEqual(['feature-b']);
	});

	it('port remove stops the stack, removes the worktree, archives the branch, stops Traefik', async () => {
		const result = await port(['remove', 'feature-b'], repo, env);
		expect(result.code, result.stderr).toBe(0);
		expect(projectContainers(projects.b)).toEqual([]);
		expect(existsSync(trees.b)).toBe(false);
		expect(git(repo, 'branch', '--list', 'feature-b').trim()).toBe('');
		expect(git(repo, 'branch', '--list', 'archive/feature-b-*').trim()).toMatch(/archive\/feature-b-\d{8}-\d{6}/);
		expect(readRegistryFile(env.portHome).projects).toEqual([]);
		expect(dockerText('inspect', '--type', 'container', 'port-traefik').status).not.toBe(0);
	});
});
