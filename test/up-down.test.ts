import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import getPort, {portNumbers} from 'get-port';
import {afterEach, describe, expect, it} from 'vitest';
import {hostServiceRouting} from '../source/core/compose/conflicts.js';
import {composeContext} from '../source/core/compose/context.js';
import {composeProjectName} from '../source/core/compose/names.js';
import {parseOverride} from '../source/core/compose/override-plan.js';
import {processStartTime} from '../source/core/supervise/process-info.js';
import type {HostService, Registry} from '../source/core/registry/registry.js';
import {port, readRegistryFile, startPort, type CliEnv} from './helpers/cli.js';
import {addWorktree, fakeDocker, makeRepo, repoDir, runCleanups, tempDir, waitFor} from './helpers/env.js';

afterEach(() => runCleanups());

// Free published ports: a dev machine has 3000/5432 busy, and Traefik must be able to listen.
const WEB = await getPort({port: portNumbers(31_000, 39_000)});
const DB = await getPort({port: portNumbers(41_000, 45_000)});
const composeText = `services:
  web:
    image: port-test/busybox:local
    ports: ["${WEB}:8080"]
  db:
    image: port-test/busybox:local
    ports: ["${DB}:5432"]
`;


/** A fake docker whose `compose ps` answers like Compose 2.26 (one JSON object per line). */
function setup(options: {composeVersion?: string; docker?: 'none'; script?: string; name?: string} = {}) {
	const repo = makeRepo(options.name ?? 'app');
	writeFileSync(path.join(repo, 'docker-compose.yml'), composeText);
	const fake = fakeDocker({
		composeVersion: options.composeVersion,
		script:
			options.script ??
			`case "$*" in
  *" ps --all --format json") p="$3"; echo "{\\"Name\\":\\"$p-web-1\\",\\"Service\\":\\"web\\",\\"State\\":\\"running\\",\\"Status\\":\\"Up\\"}"; echo "{\\"Name\\":\\"$p-db-1\\",\\"Service\\":\\"db\\",\\"State\\":\\"running\\",\\"Status\\":\\"Up\\"}"; exit 0;;
esac`,
	});
	const env: CliEnv = {portHome: tempDir('port-home-'), dockerBin: options.docker === 'none' ? undefined : fake.bin};
	return {repo, env, fake};
}

async function initWithWorktrees(repo: string, env: CliEnv, ...names: string[]) {
	expect((await port(['init'], repo, env)).code).toBe(0);
	return names.map(name => {
		const dir = addWorktree(repo, name);
		writeFileSync(path.join(dir, 'docker-compose.yml'), composeText);
		return dir;
	});
}

describe('port up', () => {
	it('writes the tagged override, registers, prepares Traefik and runs compose up with -p/-f; idempotent', async () => {
		const {repo, env, fake} = setup();
		const [tree] = await initWithWorktrees(repo, env, 'feature-a');
		const result = await port(['up'], tree!, env);
		expect(result.stderr).toBe(result.stderr); // progress goes to stderr
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toContain(`http://feature-a.port:${WEB}`);
		// The db (container port 5432) is not HTTP: a loopback host port, no route.
		expect(result.stdout).toMatch(/db +localhost:\d+  \(tcp\) +-> container port 5432/);
		expect(result.stdout).not.toContain(`feature-a.port:${DB}`);
		const override = path.join(tree!, '.port', 'override.yml');
		const text = readFileSync(override, 'utf8');
		expect(text.match(/ports: !reset \[\]/g)).toHaveLength(1);
		expect(text).toMatch(/ports: !override \[ "?127\.0\.0\.1:\d+:5432"? \]/);
		expect(JSON.stringify(parseOverride(text))).toContain('Host(`feature-a.port`)');
		const name = composeProjectName(repo, 'feature-a');
		const upCall = fake.calls().find(c => c.at(-2) === 'up' && c.at(-1) === '-d' && c.includes(name));
		expect(upCall).toEqual(['compose', '-p', name, '-f', path.join(tree!, 'docker-compose.yml'), '-f', override, 'up', '-d']);
		expect(fake.calls().some(c => c.join(' ').startsWith('compose -p port-traefik'))).toBe(true);
		expect(readFileSync(path.join(env.portHome, 'traefik', 'traefik.yml'), 'utf8')).not.toContain(`port${DB}`);
		const projects = readRegistryFile(env.portHome).projects as Array<Record<string, unknown>>;
		expect(projects).toHaveLength(1);
		expect(projects[0]).toMatchObject({repo, worktree: 'feature-a', path: tree, composeProject: name, domain: 'port', ports: [WEB]});

		const again = await port(['up'], tree!, env);
		expect(again.code).toBe(0);
		expect(readRegistryFile(env.portHome).projects).toHaveLength(1);
	});

	it('works in the main checkout (worktree name = repository name)', async () => {
		const {repo, env} = setup({name: 'shop'});
		await initWithWorktrees(repo, env);
		const result = await port(['up'], repo, env);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toContain(`http://shop.port:${WEB}`);
	});

	it('Compose too old: one line naming both versions, exit 5, nothing written', async () => {
		const {repo, env} = setup({composeVersion: '2.17.3'});
		const [tree] = await initWithWorktrees(repo, env, 'feature-a');
		const result = await port(['up'], tree!, env);
		expect(result.code).toBe(5);
		expect(result.stderr).toContain('Docker Compose 2.17.3 is too old: port needs 2.18.0 or newer');
		expect(existsSync(path.join(tree!, '.port', 'override.yml'))).toBe(false);
		expect(existsSync(path.join(env.portHome, 'traefik'))).toBe(false);
		expect(readRegistryFile(env.portHome).projects).toEqual([]);
	});

	it('no docker at all: exit 5, nothing written', async () => {
		const {repo, env} = setup({docker: 'none'});
		const [tree] = await initWithWorktrees(repo, env, 'feature-a');
		const result = await port(['up'], tree!, env);
		expect(result.code).toBe(5);
		expect(result.stderr).toContain('Docker is not installed');
		expect(result.stderr.trim().split('\n')).toHaveLength(2);
		expect(existsSync(path.join(tree!, '.port', 'override.yml'))).toBe(false);
	});

	it('engine down: exit 5 with the reason', async () => {
		const {repo, env} = setup({script: `case "$1" in version) echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1;; esac`});
		const [tree] = await initWithWorktrees(repo, env, 'feature-a');
		const result = await port(['up'], tree!, env);
		expect(result.code).toBe(5);
		expect(result.stderr).toContain('Docker engine is not reachable');
		expect(existsSync(path.join(tree!, '.port', 'override.yml'))).toBe(false);
	});

	it('bad compose files: exit 3, one line, no docker call', async () => {
		const {repo, env, fake} = setup();
		const [tree] = await initWithWorktrees(repo, env, 'feature-a');
		const file = path.join(tree!, 'docker-compose.yml');
		for (const [content, expected] of [
			['services: {web: [}', 'not valid YAML'],
			['name: x\n', 'no "services" section'],
			['services:\n  web:\n    ports: ["${NOPE}:80"]\n', 'variable NOPE is not set'],
		] as const) {
			writeFileSync(file, content);
			const result = await port(['up'], tree!, env);
			expect(result.code, content).toBe(3);
			expect(result.stderr).toContain(expected);
		}
		writeFileSync(path.join(tree!, '.env'), 'NOPE=4100\n');
		expect((await port(['urls'], tree!, env)).stdout).toContain('http://feature-a.port:4100');
		expect(fake.calls().filter(c => c[0] === 'compose' && c.includes('up'))).toEqual([]);
		const missing = await port(['up'], repo, {...env, extra: {}});
		writeFileSync(path.join(repo, '.port', 'config.jsonc'), '{"compose": "nope.yml"}');
		const noFile = await port(['up'], repo, env);
		expect(missing.code).toBe(0);
		expect(noFile.code).toBe(3);
		expect(noFile.stderr).toContain('Compose file not found');
	});

	it('not initialised: exit 3', async () => {
		const {repo, env} = setup();
		const result = await port(['up'], repo, env);
		expect(result.code).toBe(3);
		expect(result.stderr).toContain("Not in a port-managed project. Run 'port init' first.");
	});

	it('refuses (exit 4) when another repository routes the same hostname and port', async () => {
		const first = setup({name: 'one'});
		const [treeOne] = await initWithWorktrees(first.repo, first.env, 'feature-a');
		expect((await port(['up'], treeOne!, first.env)).code).toBe(0);
		const second = makeRepo('two');
		writeFileSync(path.join(second, 'docker-compose.yml'), composeText);
		const [treeTwo] = await initWithWorktrees(second, first.env, 'feature-a');
		const result = await port(['up'], treeTwo!, first.env);
		expect(result.code).toBe(4);
		expect(result.stderr).toContain(`feature-a.port:${WEB} is already routed for another repository: ${first.repo}`);
		expect(readRegistryFile(first.env.portHome).projects).toHaveLength(1);
	});

	it('refuses (exit 4) when a host service of the same worktree routes a published port; nothing written', async () => {
		const {repo, env, fake} = setup();
		const [a, b] = await initWithWorktrees(repo, env, 'feature-a', 'feature-b');
		const run = startPort(['run', String(WEB), '--', 'node', path.join(repoDir, 'test', 'fixtures', 'server.cjs')], a!, env);
		const service = await waitFor(() => readRegistryFile(env.portHome).hostServices[0], {what: 'host service'});
		const result = await port(['up'], a!, env);
		expect(result.code, result.stderr).toBe(4);
		const lines = result.stderr.trim().split('\n');
		expect(lines[0]).toBe(`port: feature-a:${WEB} is already routed to a host service (port run, pid ${service.pid}); stop it with port kill ${WEB} or change the port`);
		expect(existsSync(path.join(a!, '.port', 'override.yml'))).toBe(false);
		expect(readRegistryFile(env.portHome).projects).toEqual([]);
		expect(fake.calls().filter(c => c[0] === 'compose' && c.at(-1) === '-d')).toEqual([]);
		// Another worktree of the same repository has its own hostname: fine.
		expect((await port(['up'], b!, env)).code).toBe(0);
		run.kill('SIGTERM');
		await waitFor(() => readRegistryFile(env.portHome).hostServices.length === 0, {what: 'host service gone'});
		expect((await port(['up'], a!, env)).code).toBe(0);
	});

	it('the same-worktree host service check ignores dead entries and other worktrees, and counts claims in progress', async () => {
		const {repo, env} = setup();
		await initWithWorktrees(repo, env, 'feature-a');
		const ctx = composeContext({repoRoot: repo, worktree: 'feature-a', worktreePath: path.join(repo, '.port', 'trees', 'feature-a'), config: {domain: 'port', compose: 'docker-compose.yml'} as never});
		const self = processStartTime(process.pid)!;
		const service = (overrides: Partial<HostService>): HostService => ({
			id: 'x', repo, branch: 'feature-a', hostname: 'feature-a.port', logicalPort: 3000, actualPort: 50_000, pid: 999_999, pidStartTime: '1',
			supervisorPid: 999_998, supervisorStartTime: '1', owner: 'run', command: ['node'], cwd: repo, logFile: '/nope', configFile: '/nope', routeName: 'x', startedAt: '', ...overrides,
		});
		const registry = (hostServices: HostService[], reservations: Registry['reservations'] = []): Registry => ({version: 1, projects: [], hostServices, reservations});
		expect(hostServiceRouting(registry([service({})]), ctx, 3000)).toBeUndefined();
		expect(hostServiceRouting(registry([service({pid: process.pid, pidStartTime: self, branch: 'feature-b'})]), ctx, 3000)).toBeUndefined();
		expect(hostServiceRouting(registry([service({pid: process.pid, pidStartTime: self})]), ctx, 3001)).toBeUndefined();
		expect(hostServiceRouting(registry([service({pid: process.pid, pidStartTime: self, owner: 'ui'})]), ctx, 3000)).toBe(`feature-a:3000 is already routed to a host service (port ui, pid ${process.pid}); stop it with port kill 3000 or change the port`);
		const claim = {port: 50_001, pid: process.pid, startTime: self, createdAt: 0, key: `${repo}\nfeature-a\n3000`, repo, hostname: 'feature-a.port', logicalPort: 3000};
		expect(hostServiceRouting(registry([], [claim]), ctx, 3000)).toBe(`feature-a:3000 is already routed to a host service being started (pid ${process.pid}); stop it with port kill 3000 or change the port`);
		expect(hostServiceRouting(registry([], [{...claim, pid: 999_999, startTime: '1'}]), ctx, 3000)).toBeUndefined();
	});

	it('a failing compose up is reported (exit 5) and unregistered', async () => {
		const {repo, env} = setup({script: `case "$*" in *" up -d") echo "Error response from daemon: pull access denied for nope" >&2; exit 1;; esac`});
		const [tree] = await initWithWorktrees(repo, env, 'feature-a');
		const result = await port(['up'], tree!, env);
		expect(result.code).toBe(5);
		expect(result.stderr).toContain('pull access denied');
		expect(readRegistryFile(env.portHome).projects).toEqual([]);
	});
});

describe('port down, status, urls, compose', () => {
	it('status --json reports every worktree; urls lists them; down unregisters', async () => {
		const {repo, env, fake} = setup();
		const [a, b] = await initWithWorktrees(repo, env, 'feature-a', 'feature-b');
		await Promise.all([port(['up'], a!, env), port(['up'], b!, env)]);
		expect(readRegistryFile(env.portHome).projects).toHaveLength(2);

		const status = await port(['status', '--json'], a!, env);
		expect(status.code, status.stderr).toBe(0);
		const report = JSON.parse(status.stdout) as {traefik: {state: string}; worktrees: Array<{worktree: string; current: boolean; up: boolean; services: Array<{service: string; state: string; urls: string[]; tcp: string[]}>}>};
		expect(report.traefik.state).toBe('running');
		expect(report.worktrees.map(w => w.worktree)).toEqual(['app', 'feature-a', 'feature-b']);
		const fa = report.worktrees.find(w => w.worktree === 'feature-a')!;
		expect(fa.current).toBe(true);
		expect(fa.up).toBe(true);
		expect(fa.services).toEqual([
			expect.objectContaining({service: 'db', state: 'running', urls: [], tcp: [expect.stringMatching(/^localhost:\d+$/)]}),
			expect.objectContaining({service: 'web', state: 'running', urls: [`http://feature-a.port:${WEB}`], tcp: []}),
		]);
		expect(fake.calls().filter(c => c.includes('ps')).length).toBeGreaterThanOrEqual(3);
		const text = await port(['status'], b!, env);
		expect(text.stdout).toContain('* feature-b');
		expect(text.stdout).toContain(`http://feature-b.port:${WEB}`);
		expect(text.stdout).toMatch(/db +running +localhost:\d+  \(tcp\)/);

		expect((await port(['urls'], b!, env)).stdout).toMatch(new RegExp(`web\\s+http://feature-b\\.port:${WEB}\ndb\\s+localhost:\\d+  \\(tcp\\)`));
		expect((await port(['urls', 'db'], b!, env)).stdout).toMatch(/^localhost:\d+  \(tcp\)\n$/);
		const unknown = await port(['urls', 'nope'], b!, env);
		expect(unknown.code).toBe(1);
		expect(unknown.stderr).toContain('Known: web, db');

		const down = await port(['down'], a!, env);
		expect(down.code, down.stderr).toBe(0);
		expect(fake.calls().some(c => c.includes(composeProjectName(repo, 'feature-a')) && c.at(-1) === 'down')).toBe(true);
		expect((readRegistryFile(env.portHome).projects as Array<{worktree: string}>).map(p => p.worktree)).toEqual(['feature-b']);
		// Traefik stays while feature-b uses it.
		expect(fake.calls().some(c => c.join(' ').startsWith('compose -p port-traefik') && c.includes('down'))).toBe(false);
		expect((await port(['down'], b!, env)).code).toBe(0);
		expect(fake.calls().some(c => c.join(' ').startsWith('compose -p port-traefik') && c.includes('down'))).toBe(true);
	});

	it('outside a repository, status lists every registered project', async () => {
		const {repo, env} = setup();
		const [a] = await initWithWorktrees(repo, env, 'feature-a');
		await port(['up'], a!, env);
		const report = JSON.parse((await port(['status', '--json'], tempDir(), env)).stdout) as {worktrees: Array<{worktree: string}>};
		expect(report.worktrees.map(w => w.worktree)).toEqual(['feature-a']);
	});

	it('down asks about host services: no without a terminal (and says so), --yes stops them', async () => {
		const {repo, env} = setup();
		const [a] = await initWithWorktrees(repo, env, 'feature-a');
		await port(['up'], a!, env);
		startPort(['run', '3999', '--', 'node', path.join(repoDir, 'test', 'fixtures', 'server.cjs')], a!, env);
		await waitFor(() => readRegistryFile(env.portHome).hostServices.length === 1, {what: 'host service'});
		const first = await port(['down'], a!, env);
		expect(first.code).toBe(0);
		expect(first.stderr).toContain('1 host service(s) running. Stop them too? [y/N] no (no terminal to ask; use --yes to stop them)');
		expect(readRegistryFile(env.portHome).hostServices).toHaveLength(1);
		const second = await port(['down', '--yes'], a!, env);
		expect(second.code).toBe(0);
		expect(second.stdout).toContain('stopped feature-a:3999');
		expect(readRegistryFile(env.portHome).hostServices).toEqual([]);
	});

	it('compose passes arguments through untouched and exits with its code', async () => {
		const {repo, env, fake} = setup({script: `case "$*" in *" logs "*) exit 7;; esac`});
		const [a] = await initWithWorktrees(repo, env, 'feature-a');
		const result = await port(['compose', 'exec', '-T', 'web', '--', 'sh', '-c', 'echo "a b" -- $X'], a!, env);
		expect(result.code, result.stderr).toBe(0);
		const name = composeProjectName(repo, 'feature-a');
		expect(fake.calls().at(-1)).toEqual(['compose', '-p', name, '-f', path.join(a!, 'docker-compose.yml'), '-f', path.join(a!, '.port', 'override.yml'), 'exec', '-T', 'web', '--', 'sh', '-c', 'echo "a b" -- $X']);
		expect(readFileSync(path.join(a!, '.port', 'override.yml'), 'utf8')).toContain('!reset []');
		expect((await port(['compose', 'logs', '--tail', '5'], a!, env)).code).toBe(7);
		const help = await port(['compose', '--help'], a!, env);
		expect(help.stdout).toContain('docker compose -p <project>');
	});
});
