import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {composeProjectName} from '../source/core/compose/names.js';
import {finished, isProcessAlive, port, processesWith, readRegistryFile, routeFiles, startPort, type CliEnv} from './helpers/cli.js';
import {addWorktree, fakeDocker, makeRepo, repoDir, runCleanups, tempDir, waitFor} from './helpers/env.js';

// A signal while `port run` / `port up` waits for a slow docker call (Traefik's or the project's
// `docker compose up`, `docker inspect`) must stop that call, not wait for it.

afterEach(() => runCleanups());

const server = path.join(repoDir, 'test', 'fixtures', 'server.cjs');
// Generous: proves the docker call was cancelled (it sleeps 10-20 s), not a performance budget.
const prompt = 5000;

/** A port nothing listens on (Traefik's publish check must find it free). */
function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.once('error', reject);
		srv.listen(0, () => {
			const {port: p} = srv.address() as net.AddressInfo;
			srv.close(() => resolve(p));
		});
	});
}

/**
 * A fake docker whose calls matching `pattern` (a `case "$*"` pattern) record their pid and
 * sleep; docker is one process (`exec`), as the real CLI forwards signals to its plugin.
 * `once`: only the first matching call sleeps.
 */
function slowDocker(pattern: string, options: {seconds?: number; ignoreTerm?: boolean; once?: boolean} = {}) {
	const dir = tempDir('port-slow-');
	const pids = path.join(dir, 'pids');
	const flag = path.join(dir, 'slept');
	const sleep = `${options.ignoreTerm ? "trap '' TERM; " : ''}echo $$ >> "${pids}"; exec sleep ${options.seconds ?? 10}`;
	const body = options.once ? `if [ ! -e "${flag}" ]; then : > "${flag}"; ${sleep}; fi` : sleep;
	const fake = fakeDocker({traefikRunning: false, script: `case "$*" in\n  ${pattern}) ${body};;\nesac`});
	const slowPids = () => (existsSync(pids) ? readFileSync(pids, 'utf8').trim().split('\n').filter(Boolean).map(Number) : []);
	return {...fake, slowPids};
}

/** Sends the signals 300 ms apart; `ms` counts from the last one to the exit. */
async function timedStop(child: ReturnType<typeof startPort>, ...signals: NodeJS.Signals[]) {
	let started = Date.now();
	for (const [i, signal] of signals.entries()) {
		if (i > 0) await new Promise(resolve => setTimeout(resolve, 300));
		started = Date.now();
		child.kill(signal);
	}
	const result = await finished(child);
	return {...result, ms: Date.now() - started};
}

function expectNothingLeft(portHome: string, pids: number[]) {
	const registry = readRegistryFile(portHome) as ReturnType<typeof readRegistryFile> & {reservations?: unknown[]};
	expect(registry.hostServices).toEqual([]);
	expect(registry.reservations ?? []).toEqual([]);
	expect(routeFiles(portHome)).toEqual([]);
	expect(pids.length).toBeGreaterThan(0);
	expect(pids.filter(isProcessAlive)).toEqual([]);
}

describe('a signal during set-up stops the slow docker call', () => {
	it.each([
		['Traefik\'s docker compose up', '*" up -d --remove-orphans"'],
		['docker inspect', 'inspect*'],
	])('port run: SIGTERM while %s runs exits 143 promptly, nothing left', async (_what, pattern) => {
		const portHome = tempDir('port-home-');
		const docker = slowDocker(pattern);
		const env: CliEnv = {portHome, dockerBin: docker.bin};
		const repo = makeRepo('app');
		const logical = await freePort();
		const tag = `setup-signal-${process.pid}-${Date.now()}`;
		const run = startPort(['run', String(logical), '--', 'node', server, tag], repo, env);
		await waitFor(() => docker.slowPids().length > 0, {what: 'slow docker call'});
		const result = await timedStop(run, 'SIGTERM');
		expect(result.code, result.stderr).toBe(143);
		expect(result.ms).toBeLessThan(prompt);
		expect(result.stderr).toContain(`port: stopping app:${logical} (Ctrl+C again to force)`);
		expect(processesWith(tag)).toEqual([]);
		expectNothingLeft(portHome, docker.slowPids());
	});

	it('port run: a second signal exits at once even when docker ignores SIGTERM', async () => {
		const portHome = tempDir('port-home-');
		const docker = slowDocker('*" up -d --remove-orphans"', {seconds: 20, ignoreTerm: true});
		const env: CliEnv = {portHome, dockerBin: docker.bin};
		const repo = makeRepo('app');
		const logical = await freePort();
		const run = startPort(['run', String(logical), '--', 'node', server], repo, env);
		await waitFor(() => docker.slowPids().length > 0, {what: 'slow docker call'});
		// Without the second signal, execa would SIGKILL docker only 5 s after the first.
		const result = await timedStop(run, 'SIGINT', 'SIGINT');
		expect(result.code).toBe(130);
		expect(result.ms).toBeLessThan(4000);
		await waitFor(() => docker.slowPids().every(pid => !isProcessAlive(pid)), {what: 'docker killed', timeout: 2000});
	});

	it('port up: SIGTERM during docker compose up exits 143 promptly and unregisters', async () => {
		const portHome = tempDir('port-home-');
		const docker = slowDocker('*" up -d"');
		const env: CliEnv = {portHome, dockerBin: docker.bin};
		const repo = makeRepo('app');
		const published = await freePort();
		writeFileSync(path.join(repo, 'docker-compose.yml'), `services:\n  web:\n    image: x\n    ports: ["${published}:80"]\n`);
		expect((await port(['init'], repo, env)).code).toBe(0);
		const up = startPort(['up'], repo, env);
		await waitFor(() => docker.slowPids().length > 0, {what: 'slow compose up'});
		const result = await timedStop(up, 'SIGTERM');
		expect(result.code, result.stderr).toBe(143);
		expect(result.ms).toBeLessThan(prompt);
		expect(result.stderr).toContain('port: stopping port up (Ctrl+C again to force)');
		expect(result.stderr).toContain(`port: Interrupted (SIGTERM): ${composeProjectName(repo, 'app')} is not up.\nRun 'port down' to remove anything that did start.`);
		expect(readRegistryFile(portHome).projects).toEqual([]);
		expectNothingLeft(portHome, docker.slowPids());
	});
});

describe('port run --replace against a service that is still starting', () => {
	it('stops the starting port run (it exits 143) and starts in its place', async () => {
		const portHome = tempDir('port-home-');
		const docker = slowDocker('*" up -d --remove-orphans"', {once: true});
		const env: CliEnv = {portHome, dockerBin: docker.bin};
		const repo = makeRepo('app');
		const tree = addWorktree(repo, 'feature-1');
		const logical = await freePort();
		const tag = `replace-starting-${process.pid}-${Date.now()}`;
		const first = startPort(['run', String(logical), '--', 'node', server, `${tag}-old`], tree, env);
		await waitFor(() => docker.slowPids().length > 0, {what: 'first port run setting up'});
		const without = await port(['run', String(logical), '--', 'node', server, `${tag}-new`], tree, env);
		expect(without.code).toBe(4);
		expect(without.stderr).toContain('Use --replace');
		const second = startPort(['run', String(logical), '--replace', '--', 'node', server, `${tag}-new`], tree, env);
		expect((await finished(first)).code).toBe(143);
		const fresh = await waitFor(() => readRegistryFile(portHome).hostServices[0], {what: 'replacement registered'});
		expect(fresh.supervisorPid).toBe(second.pid);
		expect(second.output.stderr).toContain(`port: stopping the starting feature-1:${logical} (pid ${first.pid})`);
		expect(processesWith(`${tag}-old`)).toEqual([]);
		second.kill('SIGTERM');
		expect((await finished(second)).code).toBe(143);
		expect(processesWith(tag)).toEqual([]);
		expectNothingLeft(portHome, docker.slowPids());
	});
});
