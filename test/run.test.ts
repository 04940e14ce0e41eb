import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {parse} from 'yaml';
import {afterEach, describe, expect, it} from 'vitest';
import {finished, isProcessAlive, port, processesWith, readRegistryFile, routeFiles, startPort, type CliEnv} from './helpers/cli.js';
import {addWorktree, fakeDocker, makeRepo, repoDir, runCleanups, tempDir, waitFor} from './helpers/env.js';
import {httpGet} from './helpers/http.js';

const server = path.join(repoDir, 'test', 'fixtures', 'server.cjs');
let counter = 0;
const marker = () => `port-test-marker-${process.pid}-${++counter}-${Date.now()}`;

function setup(options: {docker?: 'running' | 'none'} = {}) {
	const portHome = tempDir('port-home-');
	const env: CliEnv = {portHome, dockerBin: options.docker === 'none' ? undefined : fakeDocker().bin};
	const repo = makeRepo('app');
	return {env, repo, portHome};
}

async function waitForService(portHome: string, branch: string, logicalPort = 3000) {
	return waitFor(() => readRegistryFile(portHome).hostServices.find(s => s.branch === branch && s.logicalPort === logicalPort), {what: `${branch}:${logicalPort} registered`});
}

async function waitForHttp(actualPort: number) {
	return waitFor(() => httpGet(actualPort).catch(() => undefined), {what: `HTTP on ${actualPort}`});
}

function expectClean(portHome: string, tag: string) {
	expect(readRegistryFile(portHome).hostServices).toEqual([]);
	expect(routeFiles(portHome)).toEqual([]);
	expect(processesWith(tag)).toEqual([]);
}

afterEach(() => runCleanups());

describe('port run: two worktrees on the same logical port', () => {
	it('gives each its own actual port, answers HTTP on both, writes two valid route files', async () => {
		const {env, repo, portHome} = setup();
		const a = addWorktree(repo, 'feature-1');
		const b = addWorktree(repo, 'feature-2');
		const tag = marker();
		const runA = startPort(['run', '3000', '--', 'node', server, `${tag}-a`], a, env);
		const runB = startPort(['run', '3000', '--', 'node', server, `${tag}-b`], b, env);
		const sa = await waitForService(portHome, 'feature-1');
		const sb = await waitForService(portHome, 'feature-2');
		expect(sa.actualPort).not.toBe(sb.actualPort);
		expect(sa.actualPort).toBeGreaterThanOrEqual(1024);
		expect((await waitForHttp(sa.actualPort)).body).toBe(`${tag}-a on ${sa.actualPort}`);
		expect((await waitForHttp(sb.actualPort)).body).toBe(`${tag}-b on ${sb.actualPort}`);

		const files = routeFiles(portHome).sort();
		expect(files).toHaveLength(2);
		const routes = files.map(f => parse(readFileSync(path.join(portHome, 'traefik', 'dynamic', f), 'utf8')) as {http: {routers: Record<string, {rule: string; entryPoints: string[]}>; services: Record<string, {loadBalancer: {servers: Array<{url: string}>}}>}});
		const rules = routes.flatMap(r => Object.values(r.http.routers).map(x => x.rule)).sort();
		expect(rules).toEqual(['Host(`feature-1.port`)', 'Host(`feature-2.port`)']);
		for (const r of routes) expect(Object.values(r.http.routers)[0]!.entryPoints).toEqual(['port3000']);
		const urls = routes.flatMap(r => Object.values(r.http.services).map(s => s.loadBalancer.servers[0]!.url)).sort();
		// Linux: Traefik on host networking reaches loopback-only servers directly (test/docker/routing.test.ts).
		const gateway = process.platform === 'linux' ? '127.0.0.1' : 'host.docker.internal';
		expect(urls).toEqual([`http://${gateway}:${sa.actualPort}`, `http://${gateway}:${sb.actualPort}`].sort());
		expect(readFileSync(path.join(portHome, 'traefik', 'traefik.yml'), 'utf8')).toContain('port3000');
		expect(runA.output.stderr).toContain('http://feature-1.port:3000');
		expect(runA.output.stderr).toContain(`http://localhost:${sa.actualPort}`);

		runA.kill('SIGINT');
		runB.kill('SIGINT');
		expect((await finished(runA)).code).toBe(130);
		expect((await finished(runB)).code).toBe(130);
		expectClean(portHome, tag);
	});
});

describe('port run: every way it ends leaves nothing behind', () => {
	it.each([
		['SIGINT', 130],
		['SIGTERM', 143],
		['SIGHUP', 129],
	] as const)('%s to port run stops the whole group (grandchildren too) and exits %i', async (signal, code) => {
		const {env, repo, portHome} = setup();
		const tag = marker();
		// sh -c keeps a grandchild: killing only the direct child would orphan the server.
		const run = startPort(['run', '3000', '--', 'sh', '-c', `node ${server} ${tag} & wait`], repo, env);
		const service = await waitForService(portHome, 'app');
		await waitForHttp(service.actualPort);
		// `sh -c` and its grandchild server both carry the tag.
		expect(processesWith(tag)).toHaveLength(2);
		expect(existsSync(service.logFile)).toBe(true);
		run.kill(signal);
		const result = await finished(run);
		expect(result.code).toBe(code);
		expectClean(portHome, tag);
		expect(existsSync(service.logFile)).toBe(false);
	});

	it.each([
		['exit 0', 'exit 0', 0],
		['exit 3', 'exit 3', 3],
		['killed by SIGKILL', 'kill -9 $$', 137],
		['killed by SIGTERM', 'kill -15 $$', 143],
	])('child %s -> port run exits with its code', async (_name, script, code) => {
		const {env, repo, portHome} = setup();
		const tag = marker();
		const result = await port(['run', '3000', '--', 'sh', '-c', `echo ${tag}; ${script}`], repo, env);
		expect(result.stdout).toContain(tag);
		expect(result.code).toBe(code);
		expectClean(portHome, tag);
	});

	it('a child that exits leaves no grandchild behind', async () => {
		const {env, repo, portHome} = setup();
		const tag = marker();
		const result = await port(['run', '3000', '--', 'sh', '-c', `(sleep 300; echo ${tag}) & sleep 0.3; exit 0`], repo, env);
		expect(result.code).toBe(0);
		await waitFor(() => processesWith('sleep 300').filter(pid => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('sleep')).length === 0 || undefined, {what: 'grandchild gone', timeout: 5000}).catch(() => undefined);
		expectClean(portHome, tag);
	});

	it('command not found exits 127 after cleanup', async () => {
		const {env, repo, portHome} = setup();
		const result = await port(['run', '3000', '--', 'definitely-not-a-command-xyz'], repo, env);
		expect(result.code).toBe(127);
		expect(result.stderr).toContain('command not found: definitely-not-a-command-xyz');
		expect(readRegistryFile(portHome).hostServices).toEqual([]);
		expect(routeFiles(portHome)).toEqual([]);
	});

	it('passes PORT and the parent environment to the child, and streams stdout and stderr', async () => {
		const {env, repo} = setup();
		const result = await port(['run', '4000', '--', 'sh', '-c', 'echo "port=$PORT extra=$EXTRA_VAR"; echo to-stderr >&2'], repo, {...env, extra: {EXTRA_VAR: 'kept'}});
		expect(result.code).toBe(0);
		expect(result.stdout).toMatch(/port=\d+ extra=kept/);
		expect(result.stderr).toContain('to-stderr');
	});

	it('SIGKILL of port run leaves an orphan that the next port command cleans once the child is gone', async () => {
		const {env, repo, portHome} = setup();
		const tag = marker();
		const run = startPort(['run', '3000', '--', 'node', server, tag], repo, env);
		const service = await waitForService(portHome, 'app');
		await waitForHttp(service.actualPort);
		run.kill('SIGKILL');
		await finished(run);
		// The child still serves; the entry stays, marked orphaned.
		const listed = await port(['list', '--json'], repo, env);
		const json = JSON.parse(listed.stdout) as {hostServices: Array<{status: string}>};
		expect(json.hostServices.map(s => s.status)).toEqual(['orphaned']);
		expect(routeFiles(portHome)).toHaveLength(1);
		process.kill(service.pid, 'SIGTERM');
		await waitFor(() => !isProcessAlive(service.pid), {what: 'child gone'});
		const after = await port(['list'], repo, env);
		expect(after.code).toBe(0);
		expectClean(portHome, tag);
	});

	it('port kill stops an orphan left by a SIGKILLed port run', async () => {
		const {env, repo, portHome} = setup();
		const tag = marker();
		const run = startPort(['run', '3000', '--', 'sh', '-c', `node ${server} ${tag} & wait`], repo, env);
		await waitForService(portHome, 'app');
		run.kill('SIGKILL');
		await finished(run);
		const killed = await port(['kill', '3000'], repo, env);
		expect(killed.code).toBe(0);
		expect(killed.stdout).toContain('stopped app:3000');
		expectClean(portHome, tag);
	});
});

describe('port run: an existing service for the same worktree and port', () => {
	it('without a terminal and without --replace: exits 4 and leaves the running one alone', async () => {
		const {env, repo, portHome} = setup();
		const tag = marker();
		const first = startPort(['run', '3000', '--', 'node', server, tag], repo, env);
		const service = await waitForService(portHome, 'app');
		const second = await port(['run', '3000', '--', 'node', server, `${tag}-2`], repo, env);
		expect(second.code).toBe(4);
		expect(second.stderr).toContain('Service already running for app:3000');
		expect(readRegistryFile(portHome).hostServices.map(s => s.pid)).toEqual([service.pid]);
		expect(isProcessAlive(service.pid)).toBe(true);
		first.kill('SIGTERM');
		await finished(first);
		expectClean(portHome, tag);
	});

	it('--replace asks the old port run to stop (it exits 143) and registers the new one', async () => {
		const {env, repo, portHome} = setup();
		const tag = marker();
		const first = startPort(['run', '3000', '--', 'node', server, `${tag}-old`], repo, env);
		const old = await waitForService(portHome, 'app');
		const second = startPort(['run', '3000', '--replace', '--', 'node', server, `${tag}-new`], repo, env);
		expect((await finished(first)).code).toBe(143);
		const fresh = await waitFor(() => readRegistryFile(portHome).hostServices.find(s => s.pid !== old.pid), {what: 'new service'});
		expect(readRegistryFile(portHome).hostServices).toHaveLength(1);
		expect((await waitForHttp(fresh.actualPort)).body).toContain(`${tag}-new`);
		expect(isProcessAlive(old.pid)).toBe(false);
		second.kill('SIGTERM');
		await finished(second);
		expectClean(portHome, tag);
	});

	it.each([
		['y', true],
		['n', false],
	])('in a terminal it asks "Replace? [y/N]"; answer %s', async (answer, replaced) => {
		const {env, repo, portHome} = setup();
		const tag = marker();
		const first = startPort(['run', '3000', '--', 'node', server, `${tag}-old`], repo, env);
		const old = await waitForService(portHome, 'app');
		// `script` gives the second port run a real pseudo-terminal as stdin.
		const cmd = `${process.execPath} ${path.join(repoDir, 'dist', 'cli.js')} run 3000 -- node ${server} ${tag}-new`;
		const {spawn} = await import('node:child_process');
		const tty = spawn('script', ['-qfec', cmd, '/dev/null'], {cwd: repo, env: {...process.env, PATH: `${env.dockerBin}:${process.env['PATH']}`, PORT_HOME: portHome, PORT_STOP_TIMEOUT: '2000'}, stdio: ['pipe', 'pipe', 'pipe']});
		let out = '';
		tty.stdout.on('data', d => (out += d));
		await waitFor(() => out.includes('Replace? [y/N]'), {what: 'prompt'});
		expect(out).toContain('Service already running for app:3000. Replace? [y/N]');
		tty.stdin.write(`${answer}\r`);
		if (replaced) {
			expect((await finished(first)).code).toBe(143);
			const fresh = await waitFor(() => readRegistryFile(portHome).hostServices.find(s => s.pid !== old.pid), {what: 'replacement'});
			expect(isProcessAlive(fresh.pid)).toBe(true);
			tty.kill('SIGTERM');
			process.kill(fresh.supervisorPid, 'SIGTERM');
		} else {
			const code = await new Promise(resolve => tty.once('close', resolve));
			expect(code).toBe(4);
			expect(isProcessAlive(old.pid)).toBe(true);
			first.kill('SIGTERM');
		}
		await waitFor(() => readRegistryFile(portHome).hostServices.length === 0, {what: 'all stopped'});
		await finished(first);
		await waitFor(() => processesWith(tag).length === 0, {what: 'processes gone'});
		expectClean(portHome, tag);
	});
});

describe('port run: many at once', () => {
	it('50 concurrent port run in separate worktrees are all registered, then all gone', async () => {
		const {env, repo, portHome} = setup();
		const tag = marker();
		const runs = Array.from({length: 50}, (_, i) => startPort(['run', '3000', '--', 'sleep', `300.${i}`], addWorktree(repo, `w${i}`), {...env, extra: {MARK: tag}}));
		const all = await waitFor(() => {
			const services = readRegistryFile(portHome).hostServices;
			return services.length === 50 ? services : undefined;
		}, {timeout: 60_000, what: '50 registrations'});
		expect(new Set(all.map(s => s.branch)).size).toBe(50);
		expect(new Set(all.map(s => s.actualPort)).size).toBe(50);
		expect(routeFiles(portHome)).toHaveLength(50);
		for (const run of runs) run.kill('SIGTERM');
		const codes = await Promise.all(runs.map(r => finished(r).then(x => x.code)));
		expect(codes.every(c => c === 143)).toBe(true);
		expect(readRegistryFile(portHome).hostServices).toEqual([]);
		expect(routeFiles(portHome)).toEqual([]);
		expect(all.filter(s => isProcessAlive(s.pid))).toEqual([]);
	}, 120_000);
});

describe('port run: Docker and Traefik', () => {
	it('without Docker: one warning with the direct URL, the command still runs, the route file is written', async () => {
		const {env, repo, portHome} = setup({docker: 'none'});
		const tag = marker();
		const run = startPort(['run', '3000', '--', 'node', server, tag], repo, env);
		const service = await waitForService(portHome, 'app');
		await waitForHttp(service.actualPort);
		await waitFor(() => run.output.stderr.includes('warning'), {what: 'warning'});
		const warnings = run.output.stderr.split('\n').filter(l => l.includes('warning'));
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toContain('Docker is not installed');
		expect(warnings[0]).toContain(`http://localhost:${service.actualPort}`);
		expect(run.output.stderr).not.toMatch(/\n\s+at /);
		expect(routeFiles(portHome)).toHaveLength(1);
		run.kill('SIGINT');
		expect((await finished(run)).code).toBe(130);
		expectClean(portHome, tag);
	});

	it('with Traefik running but no entrypoint yet: rewrites traefik.yml and recreates Traefik through the adapter', async () => {
		const portHome = tempDir('port-home-');
		const docker = fakeDocker({traefikRunning: true});
		const env = {portHome, dockerBin: docker.bin};
		const repo = makeRepo('app');
		const result = await port(['run', '3001', '--', 'true'], repo, env);
		expect(result.code).toBe(0);
		expect(result.stderr).not.toContain('warning');
		const calls = docker.calls();
		expect(calls[0]).toEqual(['inspect', '--type', 'container', '--format', '{{.State.Running}}', 'port-traefik']);
		const up = calls.find(c => c.includes('up'));
		expect(up).toEqual(['compose', '-p', 'port-traefik', '-f', path.join(portHome, 'traefik', 'docker-compose.yml'), 'up', '-d', '--remove-orphans']);
		const compose = parse(readFileSync(path.join(portHome, 'traefik', 'docker-compose.yml'), 'utf8')) as {services: {traefik: {ports?: string[]; network_mode?: string}}};
		// Linux: host networking, the entrypoint binds 127.0.0.1 itself; elsewhere a loopback-only published port.
		if (process.platform === 'linux') expect(compose.services.traefik.network_mode).toBe('host');
		else expect(compose.services.traefik.ports).toEqual(['127.0.0.1:3001:3001']);
		expect(readFileSync(path.join(portHome, 'traefik', 'traefik.yml'), 'utf8')).toContain(process.platform === 'linux' ? 'address: 127.0.0.1:3001' : 'address: :3001');
		// A second run on the same port finds the entrypoint and does not touch Traefik again.
		const before = docker.calls().length;
		expect((await port(['run', '3001', '--', 'true'], repo, env)).code).toBe(0);
		expect(docker.calls().slice(before).filter(c => c[0] === 'compose')).toEqual([]);
	});

	it('refuses a hostname and port already routed for another repository, naming it', async () => {
		const portHome = tempDir('port-home-');
		const env = {portHome, dockerBin: fakeDocker().bin};
		const repoA = makeRepo('same');
		const repoB = makeRepo('same');
		const tag = marker();
		const first = startPort(['run', '3000', '--', 'node', server, tag], repoA, env);
		await waitForService(portHome, 'same');
		const second = await port(['run', '3000', '--', 'node', server, tag], repoB, env);
		expect(second.code).toBe(4);
		expect(second.stderr).toContain(`same.port:3000 is already routed for another repository: ${repoA}`);
		first.kill('SIGTERM');
		await finished(first);
		expectClean(portHome, tag);
	});
});

describe('port run: usage errors exit 2 with the usage line', () => {
	it.each([
		[['run', '3000', 'node', 'x'], 'Unexpected argument'],
		[['run', '3000'], "Missing '--' before the command."],
		[['run', '3000', '--'], 'Missing command after --.'],
		[['run', '0', '--', 'true'], 'Invalid port "0"'],
		[['run', '65536', '--', 'true'], 'Invalid port "65536"'],
		[['run', '3e3', '--', 'true'], 'Invalid port "3e3"'],
		[['run', 'abc', '--', 'true'], 'Invalid port "abc"'],
		[['run', '--', 'true'], 'Missing <logical-port>.'],
		[['run', '3000', '--bogus', '--', 'true'], 'Unknown flag --bogus'],
	])('%j', async (args, message) => {
		const {env, repo, portHome} = setup();
		const result = await port(args, repo, env);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain(message);
		expect(result.stderr).toMatch(/Usage: port run|port run --help/);
		expect(existsSync(path.join(portHome, 'registry.json'))).toBe(false);
	});
});
