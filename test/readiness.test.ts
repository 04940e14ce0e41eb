import {spawn} from 'node:child_process';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {groupListeners} from '../source/core/supervise/listeners.js';
import {readinessMessage, readinessText, watchReadiness, type Readiness} from '../source/core/supervise/readiness.js';
import {hostStatusText} from '../source/core/dashboard/selectors.js';
import type {HostService} from '../source/core/registry/registry.js';
import {mkdirSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import {acceptsOnLocalhost} from '../source/core/supervise/readiness.js';
import {finished, readRegistryFile, startPort} from './helpers/cli.js';
import {fakeDocker, makeRepo, onCleanup, repoDir, runCleanups, tempDir, waitFor} from './helpers/env.js';

afterEach(() => runCleanups());

/** Collects a watch's changes until `until` says stop. */
function watch(options: {graceMs: number; accepts: () => boolean; probe: () => number[]}) {
	const changes: Array<{readiness: Readiness; silent: boolean}> = [];
	const handle = watchReadiness({
		pgid: 1,
		port: 4321,
		graceMs: options.graceMs,
		accepts: async () => options.accepts(),
		probe: async () => options.probe(),
		onChange: (readiness, silent = false) => changes.push({readiness, silent}),
	});
	onCleanup(() => handle.stop());
	return changes;
}

describe('readiness watch', () => {
	it('is ready once the port answers and the group holds that listener', async () => {
		let polls = 0;
		const changes = watch({graceMs: 60_000, accepts: () => ++polls > 3, probe: () => [4321, 24678]});
		await waitFor(() => changes.length > 0, {what: 'a change'});
		expect(changes).toEqual([{readiness: {state: 'ready', ms: expect.any(Number)}, silent: false}]);
		expect(polls).toBe(4);
	});

	it('is not ready when what answers is not in the group, and says where the group listens after the grace', async () => {
		const changes = watch({graceMs: 50, accepts: () => true, probe: () => [5173]});
		await waitFor(() => changes.length > 0, {what: 'a change'});
		expect(changes[0]).toEqual({readiness: {state: 'not-listening', listens: [5173]}, silent: false});
	});

	it('trusts the answer when the group sockets cannot be seen (empty scan)', async () => {
		const changes = watch({graceMs: 60_000, accepts: () => true, probe: () => []});
		await waitFor(() => changes.length > 0, {what: 'a change'});
		expect(changes[0]!.readiness.state).toBe('ready');
	});

	it('listening nowhere after the grace: one silent note, still starting', async () => {
		const changes = watch({graceMs: 30, accepts: () => false, probe: () => []});
		await waitFor(() => changes.length > 0, {what: 'a change'});
		await new Promise(resolve => setTimeout(resolve, 100));
		expect(changes).toEqual([{readiness: {state: 'starting'}, silent: true}]);
		expect(readinessMessage('feature-1:3000', 'vite', 49731, 10_000, changes[0]!.readiness, true)).toBe('feature-1:3000 does not listen on PORT=49731 after 10 s; still waiting');
	});

	it('texts for list/status and port run', () => {
		expect(readinessText({state: 'not-listening', listens: [5173, 24678]}, 49731)).toBe('not listening on 49731 (listens on 5173, 24678)');
		expect(readinessText({state: 'ready', ms: 3}, 1)).toBe('ready');
		expect(readinessMessage('feature-1:3000', 'vite', 49731, 10_000, {state: 'ready', ms: 412})).toBe('feature-1:3000 ready in 412 ms');
		expect(readinessMessage('feature-1:3000', 'vite', 49731, 10_000, {state: 'not-listening', listens: [5173]})).toBe(
			'vite listens on 5173, not on PORT=49731; pass --port $PORT or use {PORT}',
		);
	});
});

describe('a server on ::1 only (Traefik dials 127.0.0.1)', () => {
	it('is not ready: the probe connects to 127.0.0.1 only, and says why once late', async () => {
		const server = createServer().listen(0, '::1');
		await new Promise(resolve => server.once('listening', resolve));
		onCleanup(() => server.close());
		const port = (server.address() as {port: number}).port;
		expect(await acceptsOnLocalhost(port)).toBe(false);
		expect(await acceptsOnLocalhost(port, '::1')).toBe(true);
		const changes: Readiness[] = [];
		const handle = watchReadiness({pgid: process.pid, port, graceMs: 50, probe: async () => [port], onChange: readiness => changes.push(readiness)});
		onCleanup(() => handle.stop());
		await waitFor(() => changes.length > 0, {what: 'a change'});
		expect(changes[0]).toEqual({state: 'not-listening', listens: [port], ipv6Only: true});
		expect(readinessMessage('app:3000', 'node', port, 50, changes[0]!)).toBe('node listens on ::1 only; bind 127.0.0.1 (HOST is set), which Traefik dials');
		expect(readinessText(changes[0], port)).toBe(`not reachable on ${port} (listens on ::1 only)`);
	});

	it('port run reports it and records it, never "ready"', async () => {
		const portHome = tempDir('port-home-');
		const repo = makeRepo('app');
		mkdirSync(path.join(repo, '.port'));
		writeFileSync(path.join(repo, '.port', 'config.jsonc'), JSON.stringify({readyGrace: 0.3}));
		const run = startPort(['run', '3919', '--', 'node', '-e', "require('http').createServer((q, r) => r.end('x')).listen(Number(process.env.PORT), '::1')"], repo, {portHome, dockerBin: fakeDocker().bin});
		await waitFor(() => run.output.stderr.includes('listens on ::1 only'), {what: 'the ::1 line', timeout: 20_000});
		expect(run.output.stderr).toContain('port: node listens on ::1 only; bind 127.0.0.1 (HOST is set), which Traefik dials\n');
		expect(run.output.stderr).not.toMatch(/ready in/);
		await waitFor(() => readRegistryFile(portHome).hostServices[0]?.['readiness' as never], {what: 'recorded'});
		expect((readRegistryFile(portHome).hostServices[0] as unknown as {readiness: Readiness}).readiness).toMatchObject({state: 'not-listening', ipv6Only: true});
		run.kill('SIGINT');
		expect((await finished(run)).code).toBe(130);
	});
});

describe('dashboard status text', () => {
	it('a running row shows its readiness; an ended one its ending', () => {
		const row = (readiness: HostService['readiness'], kind: 'running' | 'stopped' = 'running') => ({status: {kind}, actualPort: 49731, entry: {readiness} as HostService});
		expect(hostStatusText(row({state: 'starting'}))).toBe('running · starting');
		expect(hostStatusText(row({state: 'ready', ms: 5}))).toBe('running · ready in 5 ms');
		expect(hostStatusText(row({state: 'ready', ms: 2345}))).toBe('running · ready in 2.3 s');
		expect(hostStatusText(row({state: 'not-listening', listens: [5173]}))).toBe('running · not listening on 49731 (listens on 5173)');
		expect(hostStatusText(row(undefined))).toBe('running');
		expect(hostStatusText(row({state: 'ready', ms: 5}, 'stopped'))).toBe('stopped');
	});
});

describe('groupListeners (real processes)', () => {
	it('finds the port a process group listens on, through a shell, and nothing for a group without listeners', async () => {
		const server = path.join(repoDir, 'test', 'fixtures', 'env-server.cjs');
		const child = spawn('sh', ['-c', `node ${server} wrong listeners-test; true`], {detached: true, stdio: ['ignore', 'pipe', 'ignore']});
		onCleanup(() => process.kill(-child.pid!, 'SIGKILL'));
		let out = '';
		child.stdout!.on('data', d => (out += d));
		const port = Number((await waitFor(() => /listening on (\d+)/.exec(out) ?? undefined, {what: 'server up'}))[1]);
		expect(await groupListeners(child.pid!)).toEqual([port]);
		const idle = spawn('sleep', ['30'], {detached: true, stdio: 'ignore'});
		onCleanup(() => process.kill(-idle.pid!, 'SIGKILL'));
		expect(await groupListeners(idle.pid!)).toEqual([]);
	});

	it('a scan may reuse the machine-wide pass of the last maxAgeMs; a confirmation (maxAgeMs 0) reads afresh', async () => {
		const server = path.join(repoDir, 'test', 'fixtures', 'env-server.cjs');
		// A group that exists before it listens: the shared pass is taken while it only has a shell.
		const child = spawn('sh', ['-c', `sleep 0.5; node ${server} wrong listeners-test; true`], {detached: true, stdio: ['ignore', 'pipe', 'ignore']});
		onCleanup(() => process.kill(-child.pid!, 'SIGKILL'));
		expect(await groupListeners(child.pid!, {maxAgeMs: 0})).toEqual([]);
		let out = '';
		child.stdout!.on('data', d => (out += d));
		const port = Number((await waitFor(() => /listening on (\d+)/.exec(out) ?? undefined, {what: 'server up'}))[1]);
		// The node server joined the group after the shared pass: a 60 s old pass does not know it.
		expect(await groupListeners(child.pid!, {maxAgeMs: 60_000})).toEqual([]);
		expect(await groupListeners(child.pid!, {maxAgeMs: 0})).toEqual([port]);
		// That fresh pass is now the shared one.
		expect(await groupListeners(child.pid!, {maxAgeMs: 60_000})).toEqual([port]);
	});
});
