// The registry lock as the long-lived processes (`port run`, the dashboard) take it: waiting for
// it must leave the event loop running. And reservations' creation time, old key and new.
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {composeContext} from '../source/core/compose/context.js';
import {composeDown, composeUp} from '../source/core/compose/up-down.js';
import {detectProject} from '../source/core/git/project.js';
import {newReservation, readRegistry, updateRegistry, updateRegistryAsync} from '../source/core/registry/registry.js';
import {registryFile, registryLockFile} from '../source/core/paths.js';
import {ensureTraefik} from '../source/core/traefik/container.js';
import {fakeDocker, makeRepo, pathWith, runCleanups, tempDir, waitFor} from './helpers/env.js';

const systemPath = process.env['PATH'];

beforeEach(() => {
	process.env['PORT_HOME'] = tempDir('port-home-');
});

afterEach(() => {
	delete process.env['PORT_HOME'];
	process.env['PATH'] = systemPath;
	runCleanups();
});

const project = (worktree: string) => ({repo: '/r', worktree, path: `/r/${worktree}`, composeProject: `r-${worktree}`, domain: 'port', ports: [3000], updatedAt: 'x'});
const holdLock = () => {
	updateRegistry(r => r); // creates PORT_HOME and the file
	return lockfile.lockSync(registryFile(), {lockfilePath: registryLockFile(), realpath: false, stale: 10_000});
};

describe('registry lock', () => {
	it('waits for a held lock without blocking the event loop, then writes', async () => {
		const release = holdLock();
		let done = false;
		const update = updateRegistryAsync(r => void r.projects.push(project('a'))).then(() => (done = true));
		// Timers still fire while the lock is held elsewhere (a sync wait would stall them for 30 s).
		let ticks = 0;
		const interval = setInterval(() => ticks++, 5);
		while (ticks < 5) await new Promise(resolve => setTimeout(resolve, 5));
		clearInterval(interval);
		expect(done).toBe(false);
		expect(readRegistry().projects).toEqual([]);
		release();
		await update;
		expect(readRegistry().projects.map(p => p.worktree)).toEqual(['a']);
	});

	it('runs the update at once when the lock is free, like the sync path', () => {
		void updateRegistryAsync(r => void r.projects.push(project('b')));
		expect(readRegistry().projects.map(p => p.worktree)).toEqual(['b']);
	});

	it('rejects (never throws) when the registry cannot be written', async () => {
		writeFileSync(path.join(process.env['PORT_HOME']!, 'x'), '');
		process.env['PORT_HOME'] = path.join(process.env['PORT_HOME']!, 'x', 'home');
		const update = updateRegistryAsync(r => r);
		await expect(update).rejects.toThrow(/^Cannot create .*: a parent is not a directory$/);
	});
});

/**
 * Runs `work` while another process holds the registry lock. Once `work` has made its last docker
 * call before the lock (`lastCall` is in the fake docker's log), timers must keep firing for a
 * while and `work` must not finish; released, it completes. A sync wait would stall the event
 * loop here until the 30 s lock timeout and fail `work`.
 */
async function waitsForHeldLock<T>(docker: {calls: () => string[][]}, lastCall: (call: string[]) => boolean, work: () => Promise<T>): Promise<T> {
	const release = holdLock();
	let done = false;
	const running = work().finally(() => (done = true));
	running.catch(() => {}); // awaited below
	try {
		await waitFor(() => docker.calls().some(lastCall), {what: 'the last docker call before the lock'});
		let ticks = 0;
		const interval = setInterval(() => ticks++, 5);
		while (ticks < 60) await new Promise(resolve => setTimeout(resolve, 5));
		clearInterval(interval);
		expect(done).toBe(false);
	} finally {
		release();
	}
	return running;
}

describe('callers the dashboard reaches wait for the lock without blocking the event loop', () => {
	it('compose down unregisters once the lock is free', async () => {
		const docker = fakeDocker();
		process.env['PATH'] = pathWith(docker.bin);
		const ctx = composeContext(detectProject(makeRepo('app'))!);
		updateRegistry(r => void r.projects.push({...project('app'), repo: ctx.repoRoot, composeProject: ctx.name}));
		const result = await waitsForHeldLock(docker, call => call.at(-1) === 'down', () => composeDown(ctx));
		expect(result).toEqual({wasRegistered: true, ran: true});
		expect(readRegistry().projects).toEqual([]);
	});

	it('compose up registers once the lock is free', async () => {
		const docker = fakeDocker();
		process.env['PATH'] = pathWith(docker.bin);
		const repo = makeRepo('app');
		writeFileSync(path.join(repo, 'docker-compose.yml'), 'services:\n  web:\n    image: port-test/busybox:local\n    ports: ["3917:8080"]\n');
		const up = await waitsForHeldLock(docker, call => call[0] === 'inspect', () => composeUp(detectProject(repo)!));
		expect(up.routes.map(r => r.published)).toEqual([3917]);
		expect(readRegistry().projects.map(p => p.ports)).toEqual([[3917]]);
	});

	it('Traefik files are written for a port once the lock is free (Docker unreachable)', async () => {
		const docker = fakeDocker({script: 'case "$1" in inspect) echo "Cannot connect to the Docker daemon. Is the docker daemon running?" >&2; exit 1;; esac'});
		process.env['PATH'] = pathWith(docker.bin);
		const state = await waitsForHeldLock(docker, call => call[0] === 'inspect', () => ensureTraefik([3918]));
		expect(state.state).toBe('unavailable');
		expect(readFileSync(path.join(process.env['PORT_HOME']!, 'traefik', 'traefik.yml'), 'utf8')).toContain('port3918');
	});
});

describe('reservations', () => {
	it('read an older port\'s `expiresAt` as the creation time and keep the old key and unknown keys', () => {
		const old = {port: 50_100, pid: process.pid, startTime: 'x', expiresAt: 1234, extra: 'kept'};
		writeFileSync(registryFile(), JSON.stringify({version: 1, projects: [], hostServices: [], reservations: [old]}));
		expect(readRegistry().reservations[0]?.createdAt).toBe(1234);
		updateRegistry(r => void r.projects.push(project('c')));
		const written = JSON.parse(readFileSync(registryFile(), 'utf8')) as {reservations: unknown[]};
		expect(written.reservations).toEqual([{...old, createdAt: 1234}]);
	});

	it('are written with their creation time under both names, so older ports keep them', () => {
		updateRegistry(r => void r.reservations.push(newReservation({port: 50_101, pid: process.pid, startTime: 'x'}, 42)));
		const written = JSON.parse(readFileSync(registryFile(), 'utf8')) as {reservations: unknown[]};
		expect(written.reservations).toEqual([{port: 50_101, pid: process.pid, startTime: 'x', createdAt: 42, expiresAt: 42}]);
		expect(readRegistry().reservations[0]?.createdAt).toBe(42);
	});
});
