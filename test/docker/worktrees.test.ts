import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {Ajv} from 'ajv';
import {parse} from 'yaml';
import getPort, {portNumbers} from 'get-port';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {composeProjectName} from '../../source/core/compose/names.js';
import {parseOverride} from '../../source/core/compose/override-plan.js';
import {shortHash} from '../../source/core/names.js';
import {finished, port, readRegistryFile, startPort, type CliEnv} from '../helpers/cli.js';
import {addWorktree, git, makeRepo, runCleanups, schemasDir, tempDir, waitFor} from '../helpers/env.js';
import {claimTraefikContainer, dockerDir, dockerJson, dockerText, engineProblem} from './engine.js';
import {get, listenAddresses, writeDevServer} from './routing-helpers.js';

/**
 * The core promise against a real engine and the REAL Traefik: two worktrees run the same compose
 * file, with the same published ports, at the same time, each reached through Traefik by its
 * hostname. Logical ports are free ones (a dev machine has 3000/5432 busy).
 */

const unique = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
// Answers `hello <container hostname>` (the short container id): tells the two worktrees apart.
const httpServer = `nc -ll -p 8080 -e sh -c 'while read -r l; do [ $\${#l} -le 1 ] && break; done; printf "HTTP/1.1 200 OK\\r\\nContent-Length: 19\\r\\nConnection: close\\r\\n\\r\\nhello %s\\n" "$(hostname)"'`;
const webPort = await getPort({port: portNumbers(30_000, 39_000)});
const dbPort = await getPort({port: portNumbers(40_000, 45_000)});
const composeFile = `services:
  web:
    image: port-test/busybox:local
    init: true
    ports: ["${webPort}:8080"]
    command: ["sh", "-c", ${JSON.stringify(httpServer.replaceAll('$', '$$'))}]
  db:
    image: port-test/busybox:local
    init: true
    container_name: e2e-db-${unique}
    ports: ["${dbPort}:5432"]
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

let env: CliEnv;
let repo: string;
let trees: {a: string; b: string};
let projects: {a: string; b: string};
let networkExisted = false;
const timings: Record<string, number> = {};
const tcpPorts: Record<string, number> = {};

const problem = engineProblem();

// Registered conditionally (not skipped): an opted-out run has one test saying so, nothing else.
describe('real Docker engine: two worktrees, same ports, at once', () => {
	beforeAll(async () => {
		if (problem) throw new Error(`The real-engine suite needs Docker: ${problem}. Provision with .ci/docker/setup.sh and export DOCKER_CONFIG.`);
		claimTraefikContainer();
		networkExisted = dockerText('network', 'inspect', 'traefik-network').status === 0;
		env = {
			portHome: tempDir('port-e2e-home-'),
			dockerBin: dockerDir,
			extra: {DOCKER_CONFIG: process.env['DOCKER_CONFIG'] ?? ''},
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
		expect(a.stdout).toContain(`http://feature-a.port:${webPort}`);
		for (const [key, project] of Object.entries(projects)) {
			const names = projectContainers(project);
			expect(names, key).toEqual([`${project}-web-1`, dbContainer(key)].sort());
			for (const name of names) expect(inspect(name).State.Running, name).toBe(true);
			// web: no host bindings, it is reached through Traefik only.
			const web = inspect(`${project}-web-1`);
			expect(Object.values(web.HostConfig.PortBindings ?? {}).flat()).toEqual([]);
			expect(Object.values(web.NetworkSettings.Ports ?? {}).flat().filter(Boolean)).toEqual([]);
			// db (5432, not HTTP): its own loopback host port per worktree, printed by up.
			tcpPorts[key] = Number(inspect(dbContainer(key)).HostConfig.PortBindings?.['5432/tcp']?.[0]?.HostPort);
			expect(inspect(dbContainer(key)).HostConfig.PortBindings).toEqual({'5432/tcp': [{HostIp: '127.0.0.1', HostPort: String(tcpPorts[key])}]});
		}
		expect(tcpPorts['a']).not.toBe(tcpPorts['b']);
		expect(a.stdout).toMatch(new RegExp(`db +localhost:${tcpPorts['a']}  \\(tcp\\) +-> container port 5432`));
		expect(b.stdout).toMatch(new RegExp(`db +localhost:${tcpPorts['b']}  \\(tcp\\)`));
		expect(b.stdout).not.toContain(`feature-b.port:${dbPort}`);
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
			expect(labels[`traefik.http.routers.${router}.entrypoints`]).toBe(`port${webPort}`);
			expect(labels[`traefik.http.services.${router}.loadbalancer.server.port`]).toBe('8080');
			expect(Object.keys(web.NetworkSettings.Networks).sort()).toEqual([`${project}_default`, 'traefik-network'].sort());
			// db is not HTTP: no router, not on traefik-network.
			const db = inspect(dbContainer(key));
			expect(Object.keys(db.Config.Labels).filter(l => l.startsWith('traefik.'))).toEqual([]);
			expect(Object.keys(db.NetworkSettings.Networks)).not.toContain('traefik-network');
		}
		const routerNames = Object.values(projects).map(p => Object.keys(inspect(`${p}-web-1`).Config.Labels).find(l => l.endsWith('.rule')));
		expect(new Set(routerNames).size).toBe(2);
	});

	it('each hostname reaches its own container through the real Traefik', async () => {
		for (const [key, project] of Object.entries(projects)) {
			const hostname = inspect(`${project}-web-1`).Id.slice(0, 12);
			const reply = await waitFor(async () => {
				const r = await get(webPort, `feature-${key}.port`);
				return r.status === 200 && r;
			}, {what: `feature-${key} through Traefik`, timeout: 15_000});
			expect(reply.body).toBe(`hello ${hostname}\n`);
		}
		expect((await get(webPort, 'feature-zz.port')).status).toBe(404);
	});

	it('a host service of one worktree and a compose service of another share the logical port; both route', async () => {
		const tree = addWorktree(repo, 'feature-c');
		const child = startPort(['run', String(webPort), '--', 'node', writeDevServer(), 'host-c'], tree, env);
		await waitFor(async () => (await get(webPort, 'feature-c.port')).body === `host-c feature-c.port:${webPort}\n`, {what: 'feature-c (host service)', timeout: 30_000});
		expect((await get(webPort, 'feature-a.port')).body).toBe(`hello ${inspect(`${projects.a}-web-1`).Id.slice(0, 12)}\n`);
		child.kill('SIGTERM');
		expect((await finished(child)).code).not.toBeNull();
	});

	it("only port's own containers are routed: another container with traefik.enable=true is ignored", async () => {
		const name = `e2e-intruder-${unique}`;
		const server = httpServer.replaceAll('$$', () => '$'); // written for Compose, which unescapes `$$`
		const labels = {
			'traefik.enable': 'true',
			'traefik.http.routers.intruder.rule': 'Host(`intruder.port`)',
			'traefik.http.routers.intruder.entrypoints': `port${webPort}`,
			'traefik.http.services.intruder.loadbalancer.server.port': '8080',
		};
		const run = dockerText('run', '-d', '--name', name, '--network', 'traefik-network', ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]), 'port-test/busybox:local', 'sh', '-c', server);
		expect(run.status, run.stderr).toBe(0);
		try {
			// The same container WITH port's label is routed (the check below can fail)...
			const control = `${name}-managed`;
			dockerText('run', '-d', '--name', control, '--network', 'traefik-network', ...Object.entries({
				'traefik.enable': 'true',
				'port.managed': 'true',
				'traefik.http.routers.managed.rule': 'Host(`managed.port`)',
				'traefik.http.routers.managed.entrypoints': `port${webPort}`,
				'traefik.http.services.managed.loadbalancer.server.port': '8080',
			}).flatMap(([k, v]) => ['--label', `${k}=${v}`]), 'port-test/busybox:local', 'sh', '-c', server);
			try {
				await waitFor(async () => (await get(webPort, 'managed.port')).status === 200, {what: 'the labelled control container', timeout: 10_000});
			} finally {
				dockerText('rm', '-f', control);
			}
			// ...the one without it is not, though Traefik has seen it for as long.
			expect((await get(webPort, 'intruder.port')).status).toBe(404);
		} finally {
			dockerText('rm', '-f', name);
		}
	});

	it('the Traefik container: host networking, loopback-only entrypoints, read-only mounts, static hash', () => {
		const t = inspect('port-traefik') as Inspect & {HostConfig: {NetworkMode: string}};
		expect(t.State.Running).toBe(true);
		expect(t.HostConfig.NetworkMode).toBe('host');
		expect(Object.values(t.HostConfig.PortBindings ?? {}).flat()).toEqual([]);
		expect(listenAddresses(webPort)).toEqual(['127.0.0.1']);
		expect(listenAddresses(dbPort)).toEqual([]); // no HTTP entrypoint for a database port
		const mount = (destination: string) => t.Mounts.find(m => m.Destination === destination);
		expect(mount('/var/run/docker.sock')).toMatchObject({RW: false});
		expect(mount('/etc/traefik/traefik.yml')).toMatchObject({RW: false, Source: path.join(env.portHome, 'traefik', 'traefik.yml')});
		expect(mount('/etc/traefik/dynamic')).toMatchObject({RW: false, Source: path.join(env.portHome, 'traefik', 'dynamic')});
		expect(t.Config.Labels['port.static-hash']).toMatch(/^[0-9a-f]{16}$/);
	});

	it('generated override, traefik.yml and Traefik compose file validate against the schemas', () => {
		const load = (name: string) => JSON.parse(readFileSync(path.join(schemasDir, name), 'utf8')) as object;
		const composeSchema = new Ajv({validateSchema: false, strict: false}).compile(load('compose-spec.json'));
		const traefikSchema = new Ajv({strict: false}).compile(load('traefik-v3.json'));
		for (const tree of Object.values(trees)) {
			const text = readFileSync(path.join(tree, '.port', 'override.yml'), 'utf8');
			expect(text).toMatch(/ports: !reset \[\]/);
			expect(text).toMatch(/ports: !override \[ "?127\.0\.0\.1:\d+:5432"? \]/);
			expect(composeSchema(parseOverride(text)), JSON.stringify(composeSchema.errors)).toBe(true);
		}
		const staticConfig = parse(readFileSync(path.join(env.portHome, 'traefik', 'traefik.yml'), 'utf8')) as {entryPoints: Record<string, unknown>};
		expect(traefikSchema(staticConfig), JSON.stringify(traefikSchema.errors)).toBe(true);
		expect(Object.keys(staticConfig.entryPoints).sort()).toEqual([`port${webPort}`]);
		const traefikCompose = parse(readFileSync(path.join(env.portHome, 'traefik', 'docker-compose.yml'), 'utf8')) as object;
		expect(composeSchema(traefikCompose), JSON.stringify(composeSchema.errors)).toBe(true);
	});

	it('port status --json reports both worktrees with running services and URLs', async () => {
		const result = await port(['status', '--json'], repo, env);
		expect(result.code, result.stderr).toBe(0);
		const report = JSON.parse(result.stdout) as {traefik: {state: string}; worktrees: Array<{worktree: string; up: boolean; services: Array<{service: string; state: string; urls: string[]; tcp: string[]}>}>};
		expect(report.traefik.state).toBe('running');
		for (const key of ['a', 'b']) {
			const w = report.worktrees.find(x => x.worktree === `feature-${key}`)!;
			expect(w.up).toBe(true);
			expect(w.services.map(s => `${s.service} ${s.state} ${[...s.urls, ...s.tcp].join(',')}`)).toEqual([
				`db running localhost:${tcpPorts[key]}`,
				`web running http://feature-${key}.port:${webPort}`,
			]);
		}
		const text = await port(['status'], trees.a, env);
		expect(text.stdout).toMatch(new RegExp(`db +running +localhost:${tcpPorts['a']}  \\(tcp\\)`));
		const urls = await port(['urls'], trees.b, env);
		expect(urls.stdout).toMatch(new RegExp(`db +localhost:${tcpPorts['b']}  \\(tcp\\)`));
	});

	it('each worktree reaches its own tcp service (not HTTP) on its loopback host port', async () => {
		for (const key of ['a', 'b']) {
			const reply = await new Promise<string>((resolve, reject) => {
				const socket = net.connect({host: '127.0.0.1', port: tcpPorts[key]!}, () => socket.write(`ping-${key}\n`));
				let data = '';
				socket.on('data', (d: Buffer) => {
					data += d.toString();
					if (data.includes('\n')) (socket.destroy(), resolve(data));
				});
				socket.on('error', reject);
				setTimeout(() => (socket.destroy(), reject(new Error(`no echo from :${tcpPorts[key]}`))), 5000);
			});
			expect(reply).toBe(`ping-${key}\n`);
		}
	});

	it('a second port up is idempotent (same containers, one registry entry)', async () => {
		const before = inspect(`${projects.a}-web-1`).Id;
		const started = Date.now();
		const again = await port(['up'], trees.a, env);
		timings['second up (ms)'] = Date.now() - started;
		expect(again.code, again.stderr).toBe(0);
		expect(inspect(`${projects.a}-web-1`).Id).toBe(before);
		// The tcp host port is kept (it is this project's own).
		expect(inspect(dbContainer('a')).HostConfig.PortBindings?.['5432/tcp']?.[0]?.HostPort).toBe(String(tcpPorts['a']));
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

	it('port up after port down keeps the db host port (it stayed free); down again', async () => {
		const up = await port(['up'], trees.a, env);
		expect(up.code, up.stderr).toBe(0);
		expect(inspect(dbContainer('a')).HostConfig.PortBindings?.['5432/tcp']?.[0]?.HostPort).toBe(String(tcpPorts['a']));
		expect((await port(['down'], trees.a, env)).code).toBe(0);
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
