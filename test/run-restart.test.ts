import {existsSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {finished, isProcessAlive, port, readRegistryFile, routeFiles, startPort} from './helpers/cli.js';
import {fakeDocker, makeRepo, repoDir, runCleanups, tempDir, waitFor} from './helpers/env.js';
import {httpGet} from './helpers/http.js';

afterEach(() => runCleanups());
const server = path.join(repoDir, 'test', 'fixtures', 'server.cjs');

describe('port run control channel', () => {
	it('SIGUSR2 restarts the command in place: new pid, same id, port and route; the terminal keeps streaming', async () => {
		const portHome = tempDir('port-home-');
		const env = {portHome, dockerBin: fakeDocker().bin};
		const repo = makeRepo();
		const run = startPort(['run', '3000', '--', 'node', server, 'restartable'], repo, env);
		const first = await waitFor(() => readRegistryFile(portHome).hostServices[0], {what: 'registered'});
		await waitFor(() => httpGet(first.actualPort).catch(() => undefined), {what: 'first HTTP'});
		const routes = routeFiles(portHome);
		process.kill(run.pid!, 'SIGUSR2');
		const second = await waitFor(() => readRegistryFile(portHome).hostServices.find(s => s.pid !== first.pid), {what: 'new pid'});
		expect(second).toMatchObject({id: first.id, actualPort: first.actualPort, configFile: first.configFile, supervisorPid: run.pid});
		expect(isProcessAlive(first.pid)).toBe(false);
		expect((await waitFor(() => httpGet(first.actualPort).catch(() => undefined), {what: 'HTTP after restart'})).body).toBe(`restartable on ${first.actualPort}`);
		expect(routeFiles(portHome)).toEqual(routes);
		await waitFor(() => run.output.stdout.split('restartable listening').length === 3, {what: 'second start streamed'});
		expect(run.output.stderr).toContain('port: restarting app:3000');
		run.kill('SIGTERM');
		expect((await finished(run)).code).toBe(143);
		expect(readRegistryFile(portHome).hostServices).toEqual([]);
		expect(isProcessAlive(second.pid)).toBe(false);
	});
});

describe('port kill while a restart is under way', () => {
	it('stops the service for good: the port run exits and nothing is re-spawned behind it', async () => {
		const portHome = tempDir('port-home-');
		const env = {portHome, dockerBin: fakeDocker().bin};
		const repo = makeRepo();
		// A child that takes a while to stop keeps the restart in progress when port kill comes.
		const run = startPort(['run', '3000', '--', 'sh', '-c', 'trap "sleep 0.5; exit 0" TERM; echo up; while true; do sleep 0.1; done'], repo, env);
		const first = await waitFor(() => readRegistryFile(portHome).hostServices[0], {what: 'registered'});
		process.kill(run.pid!, 'SIGUSR2');
		await new Promise(resolve => setTimeout(resolve, 100));
		const killed = await port(['kill', '3000'], repo, env);
		expect(killed.code).toBe(0);
		expect(killed.stdout).toContain('stopped app:3000');
		expect((await finished(run)).code).toBe(143);
		expect(readRegistryFile(portHome).hostServices).toEqual([]);
		expect(routeFiles(portHome)).toEqual([]);
		expect(isProcessAlive(first.pid)).toBe(false);
		expect(run.output.stdout.split('up').length - 1).toBeLessThanOrEqual(2);
	});
});

describe('port run log file', () => {
	it('mirrors the output into the registered log file and caps it by rotation', async () => {
		const portHome = tempDir('port-home-');
		const env = {portHome, dockerBin: fakeDocker().bin, extra: {PORT_LOG_MAX_BYTES: '20000'}};
		const repo = makeRepo();
		// ~120 KB of output, then stay alive so the log can be inspected.
		const run = startPort(['run', '3000', '--', 'sh', '-c', 'i=0; while [ $i -lt 3000 ]; do echo "line $i of the flood......................"; i=$((i+1)); done; echo done-flooding; sleep 60'], repo, env);
		const service = await waitFor(() => readRegistryFile(portHome).hostServices[0], {what: 'registered'});
		await waitFor(() => run.output.stdout.includes('done-flooding'), {what: 'flood done'});
		await waitFor(() => existsSync(service.logFile) && readFileSync(service.logFile, 'utf8').includes('done-flooding'), {what: 'log has the tail'});
		expect(statSync(service.logFile).size).toBeLessThanOrEqual(20_000 + 65_536);
		expect(existsSync(`${service.logFile}.1`)).toBe(true);
		expect(statSync(`${service.logFile}.1`).size).toBeLessThanOrEqual(20_000 + 65_536);
		run.kill('SIGINT');
		await finished(run);
		expect(existsSync(service.logFile)).toBe(false);
		expect(existsSync(`${service.logFile}.1`)).toBe(false);
	});

	it('outside a git repository port run exits 3 with one line', async () => {
		const result = await port(['run', '3000', '--', 'true'], tempDir(), {portHome: tempDir('port-home-')});
		expect(result.code).toBe(3);
		expect(result.stderr).toContain('Not inside a git repository.');
	});
});

describe('port run interrupted while setting up', () => {
	it('never starts the command and gives back its claim and route', async () => {
		const portHome = tempDir('port-home-');
		// Docker answers slowly, so the SIGINT lands while Traefik is being checked.
		const docker = fakeDocker({script: 'sleep 1'});
		const repo = makeRepo();
		const marker = path.join(tempDir(), 'started');
		const run = startPort(['run', '3000', '--', 'sh', '-c', `touch ${marker}; sleep 30`], repo, {portHome, dockerBin: docker.bin});
		await waitFor(() => docker.calls().length > 0, {what: 'docker asked'});
		run.kill('SIGINT');
		expect((await finished(run)).code).toBe(130);
		expect(existsSync(marker)).toBe(false);
		expect(readRegistryFile(portHome).hostServices).toEqual([]);
		expect(routeFiles(portHome)).toEqual([]);
		expect(JSON.parse(readFileSync(path.join(portHome, 'registry.json'), 'utf8')).reservations).toEqual([]);
	});
});
