// The headless dashboard store on its own (no ink): state it reports, and timers that must never
// throw. Real child processes; a fresh store per test.
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import stripAnsi from 'strip-ansi';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {followFile} from '../../source/core/logs/follow.js';
import {detectProject, listWorktrees} from '../../source/core/git/project.js';
import {readRegistry, type HostService} from '../../source/core/registry/registry.js';
import type {ProcessFacts} from '../../source/core/supervise/process-info.js';
import {childAlive, supervisorAlive} from '../../source/core/supervise/stale.js';
import {createDashboardStore, hostKey, listRows, type DashboardDeps, type DashboardStore, type HostRow} from '../../source/core/dashboard/store.js';
import {finished, startPort} from '../helpers/cli.js';
import {fakeDocker, makeRepo, pathWith, runCleanups, tempDir, waitFor} from '../helpers/env.js';

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

let portHome: string;
let dockerBin: string;
let repo: string;
let scripts: string;
let store: DashboardStore | undefined;

beforeEach(() => {
	portHome = tempDir('port-store-home-');
	dockerBin = fakeDocker().bin;
	process.env['PORT_HOME'] = portHome;
	process.env['PATH'] = pathWith(dockerBin);
	process.env['PORT_STOP_TIMEOUT'] = '2000';
	repo = makeRepo('app');
	scripts = tempDir('port-store-scripts-');
});

afterEach(async () => {
	if (store && store.getState().phase === 'running') await store.getState().confirmQuit('stop');
	store?.getState().dispose();
	store = undefined;
	await runCleanups();
});

function open(extra: Partial<DashboardDeps> = {}): DashboardStore {
	store = createDashboardStore({
		project: detectProject(repo)!,
		dockerSnapshot: async () => ({ok: true, traefik: {state: 'running'}, containers: []}),
		pollMs: 60_000,
		...extra,
	});
	store.getState().start();
	return store;
}

function script(name: string, body: string): string {
	const file = path.join(scripts, name);
	writeFileSync(file, body);
	return file;
}

const host = (key: string): HostRow | undefined => {
	const row = listRows({...store!.getState(), filter: ''}).find(r => r.key === key);
	return row?.kind === 'host' ? row.host : undefined;
};
const messages = () => store!.getState().messages.map(m => `${m.level}: ${m.text}`);
const ended = (key: string) => waitFor(() => host(key) && !['running', 'restarting', 'left-running'].includes(host(key)!.status.kind) && host(key), {what: `${key} ended`});

describe('dashboard store: the status it reports', () => {
	it('each refresh asks about every pid once (one ps on macOS), and judges every service by that one answer', async () => {
		const runs = [3000, 3001].map(p => startPort(['run', String(p), '--', 'sleep', '300'], repo, {portHome, dockerBin}));
		await waitFor(() => readRegistry().hostServices.length === 2, {what: 'two services'});
		try {
			const calls: Array<{service: HostService; facts: ProcessFacts | undefined}> = [];
			const record =
				(check: typeof childAlive) =>
				(service: HostService, facts?: ProcessFacts): boolean => {
					calls.push({service, facts});
					return check(service, facts);
				};
			open({childAlive: record(childAlive), supervisorAlive: record(supervisorAlive)});
			await waitFor(() => host(hostKey(repo, 'app', 3001))?.status.kind === 'running', {what: 'both listed'});
			const pids = readRegistry().hostServices.flatMap(s => [s.pid, s.supervisorPid]);
			expect(calls.length).toBeGreaterThanOrEqual(4);
			for (const {facts} of calls) expect(pids.every(pid => facts?.get(pid)?.zombie === false)).toBe(true);
			// Calls of one refresh share one answer: far fewer answers than calls.
			expect(new Set(calls.map(c => c.facts)).size).toBeLessThanOrEqual(Math.ceil(calls.length / 4));
		} finally {
			// SIGTERM (not the helper's SIGKILL): port run stops its child, nothing is left running.
			for (const run of runs) run.kill('SIGTERM');
			await Promise.all(runs.map(run => finished(run)));
		}
	});

	it('a force-kill that fails does not label a later exit of its own as stopped', async () => {
		const exits = script('exit3-later.cjs', "console.log('up'); setTimeout(() => process.exit(3), 1500);\n");
		startPort(['run', '3000', '--', process.execPath, exits], repo, {portHome, dockerBin});
		open({forceKill: () => false});
		const key = hostKey(repo, 'app', 3000);
		await waitFor(() => host(key)?.status.kind === 'running', {what: 'port run service listed as running'});
		store!.getState().forceKill(key);
		expect(messages().some(m => m.startsWith('error: Could not kill app:3000'))).toBe(true);
		// It then exits by itself: not supervised by us, so how is unknown, but it was not us.
		expect((await ended(key)).status).toEqual({kind: 'ended'});
	});

	it('stop while the service is busy restarting is refused, and a later exit of its own shows exited(n)', async () => {
		const file = script('slow-term-exit3.cjs', "console.log('up'); process.on('SIGTERM', () => setTimeout(() => process.exit(0), 300)); setTimeout(() => process.exit(3), 1500);\n");
		open();
		const key = hostKey(repo, 'app', 3000);
		expect(await store!.getState().launch('app', 3000, [process.execPath, file])).toBeDefined();
		const restarting = store!.getState().restart(key);
		expect(store!.getState().busy[key]).toBe('restarting…');
		await store!.getState().stop(key);
		await restarting;
		expect((await ended(key)).status).toEqual({kind: 'exited', code: 3});
		expect(messages().some(m => m.startsWith('warn: ') && m.includes('restarting…'))).toBe(true);
	});

	it('copy mode: the wheel scrolls from the lines shown, also after a flood pushed the frozen view out of the buffer', async () => {
		const file = script('two-bursts.cjs', "for (let i = 0; i < 10; i++) console.log('early ' + i);\nsetTimeout(() => { for (let i = 0; i < 40; i++) console.log('late ' + i); }, 700);\nsetInterval(() => {}, 1000);\nprocess.on('SIGTERM', () => process.exit(0));\n");
		open({logCapacity: 20});
		const key = hostKey(repo, 'app', 3000);
		await store!.getState().launch('app', 3000, [process.execPath, file]);
		store!.setState({selected: key});
		store!.getState().setLogRows(5);
		const buffer = () => store!.getState().logBuffer(key)!;
		await waitFor(() => buffer()?.total >= 10, {what: 'the early lines'});
		store!.getState().dispatch({type: 'openCopy'});
		expect(store!.getState().mode).toBe('copy');
		await waitFor(() => buffer().total >= 50, {what: 'the late lines'});
		// The view was frozen on early lines the buffer has dropped: what is shown is its oldest line.
		const oldest = buffer().total - buffer().size;
		expect(store!.getState().log.top).toBeLessThan(oldest);
		store!.getState().dispatch({type: 'copyScroll', delta: 3});
		expect(store!.getState().log.top).toBe(oldest + 3);
		expect(store!.getState().copy.cursor).toBeGreaterThanOrEqual(oldest + 3);
		expect(store!.getState().copy.cursor).toBeLessThan(oldest + 3 + 5);
	});

	it('removing an ended row during its log drain lets go of the follower once and keeps no buffer', async () => {
		const stops = new Map<string, number>();
		const counted: DashboardDeps['followFile'] = (file, onText, options) => {
			const follower = followFile(file, onText, options);
			return {
				stop() {
					stops.set(file, (stops.get(file) ?? 0) + 1);
					follower.stop();
				},
			};
		};
		const file = script('bye.cjs', "console.log('bye'); setTimeout(() => process.exit(3), 300);\n");
		open({followFile: counted});
		const key = hostKey(repo, 'app', 3000);
		const row = await store!.getState().launch('app', 3000, [process.execPath, file]);
		const logFile = row!.entry!.logFile;
		expect((await ended(key)).status).toEqual({kind: 'exited', code: 3});
		// Within the ~600 ms drain window: s on the ended row removes it.
		await store!.getState().stop(key);
		expect(host(key)).toBeUndefined();
		await sleep(900);
		expect(stops.get(logFile)).toBe(1);
		expect(store!.getState().logBuffer(key)).toBeUndefined();
	});

	it('a second launch of the same port while the first is starting is refused with a message', async () => {
		const server = path.resolve(import.meta.dirname, '../fixtures/server.cjs');
		open();
		const [first, second] = await Promise.all([store!.getState().launch('app', 3000, [process.execPath, server, 'one']), store!.getState().launch('app', 3000, [process.execPath, server, 'two'])]);
		expect(first?.command).toEqual([process.execPath, server, 'one']);
		expect(second).toBeUndefined();
		expect(messages()).toContain('warn: app:3000 is busy (starting…); try again when it is done.');
		expect(readRegistry().hostServices.filter(s => s.logicalPort === 3000).map(s => s.command)).toEqual([[process.execPath, server, 'one']]);
		expect(store!.getState().busy).toEqual({});
	});
});

describe('dashboard store: timers never throw', () => {
	it('a failing worktree listing becomes one error message, and the next good refresh recovers', async () => {
		let broken = false;
		open({
			listWorktrees: root => {
				if (broken) throw new Error('git worktree list failed: boom');
				return listWorktrees(root);
			},
		});
		await waitFor(() => store!.getState().worktrees.length === 1, {what: 'worktrees'});
		broken = true;
		await waitFor(() => messages().includes('error: git worktree list failed: boom'), {what: 'error message from the 1 s tick', timeout: 3000});
		await sleep(2200);
		expect(messages().filter(m => m.includes('boom'))).toHaveLength(1);
		broken = false;
		await sleep(1200);
		expect(store!.getState().worktrees.map(w => w.name)).toEqual(['app']);
		// It recovered: failing again is news again.
		broken = true;
		await waitFor(() => messages().filter(m => m.includes('boom')).length === 2, {what: 'second error message after recovery', timeout: 3000});
	});

	it('a rejecting docker snapshot becomes one message and Docker shown as unavailable, not an unhandled rejection', async () => {
		let calls = 0;
		open({
			pollMs: 100,
			dockerSnapshot: async () => {
				calls++;
				throw new Error('docker exploded');
			},
		});
		await waitFor(() => calls >= 3, {what: 'several polls'});
		expect(messages().filter(m => m.includes('docker exploded'))).toEqual(['error: Could not read Docker state: docker exploded']);
		expect(store!.getState().docker).toEqual({ok: false, reason: 'docker exploded'});
		await expect(store!.getState().pollDocker()).resolves.toBeUndefined();
	});

	it('a flood of output redraws the log ~10 times a second, not 30; compose output lands in the worktree view prefixed', async () => {
		const chunk = 'x'.repeat(99) + '\n';
		open({
			flushMs: 33,
			compose: async (_direction, _tree, onText) => {
				// ~20 MB/s for a second, far more than anyone reads along.
				const until = Date.now() + 1000;
				while (Date.now() < until) {
					onText(chunk.repeat(2000));
					await sleep(10);
				}
				onText('compose done\n');
				return {ok: true, exitCode: 0, lastLine: 'compose done'};
			},
		});
		let bumps = 0;
		const unsubscribe = store!.subscribe((s, previous) => {
			if (s.logVersion !== previous.logVersion) bumps++;
		});
		await store!.getState().composeUp('app');
		unsubscribe();
		expect(bumps).toBeGreaterThan(0);
		expect(bumps).toBeLessThanOrEqual(15);
		const buffer = store!.getState().logBuffer('wt:app')!;
		expect(stripAnsi(buffer.line(buffer.size - 2))).toBe('compose | compose done');
	});
});
