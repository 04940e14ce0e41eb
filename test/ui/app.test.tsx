import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {readRegistry} from '../../source/core/registry/registry.js';
import type {DashboardDeps} from '../../source/core/dashboard/store.js';
import {isProcessAlive, startPort} from '../helpers/cli.js';
import {addWorktree, makeRepo, waitFor} from '../helpers/env.js';
import {keys, mount as mountDashboard, prepare, tick, unmount, type Harness} from './ink-harness.js';

const fixture = path.resolve(import.meta.dirname, '../fixtures/server.cjs');

let portHome: string;
let dockerBin: string;
let repo: string;
let scripts: string;
let ui: Harness | undefined;

beforeEach(() => {
	({repo, scripts, portHome, dockerBin} = prepare());
	addWorktree(repo, 'feature-1');
	writeFileSync(path.join(scripts, 'lines.cjs'), "for (let i = 0; i < 100; i++) console.log('line ' + i);\nsetInterval(() => {}, 1000);\nprocess.on('SIGTERM', () => process.exit(0));\n");
});

afterEach(async () => {
	ui = undefined;
	await unmount();
});

async function mount(extra: Partial<DashboardDeps> = {}, cwd = repo) {
	ui = await mountDashboard(cwd, scripts, extra);
	return ui.ui;
}

const store = () => ui!.store;
const frame = () => ui?.frame() ?? '';
const waitForFrame = (check: (text: string) => boolean, what: string, timeout = 10_000) => ui!.waitForFrame(check, what, timeout);
const type = (text: string) => ui!.type(text);

async function launchFromKeys(port: number, command: string) {
	await type('a');
	await waitForFrame(f => f.includes('Logical port:'), 'launch form');
	await type(String(port));
	await type(keys.enter);
	await type(command);
	await type(keys.enter);
	await waitForFrame(f => new RegExp(`:${port} -> :\\d+ .*running`).test(f), 'service running');
	return readRegistry().hostServices.find(s => s.logicalPort === port)!;
}

describe('port ui (ink)', () => {
	it('renders the header, every worktree (current one marked) and the keys', async () => {
		await mount();
		const text = frame();
		expect(text).toContain('port ui  app');
		expect(text).toContain('domain port');
		expect(text).toContain('Traefik running');
		expect(text).toMatch(/\* app\s+main\s+\(current\)/);
		expect(text).toContain('feature-1');
		expect(text).toContain('a launch');
		expect(text).toContain('q quit');
	});

	it('launches a service from the form: allocated port, registry entry owned by ui, live log lines', async () => {
		await mount();
		const service = await launchFromKeys(3000, `node ${fixture} hello`);
		expect(service.owner).toBe('ui');
		expect(service.branch).toBe('app');
		await waitForFrame(f => f.includes(`hello listening on ${service.actualPort}`), 'log line');
		expect(frame()).toContain(`:3000 -> :${service.actualPort}`);
		expect(frame()).toContain('this dashboard');
		expect(frame()).toContain('http://app.port:3000');
	});

	it('launches in the selected worktree, and rejects a bad port in the form', async () => {
		await mount();
		await type('j');
		await waitForFrame(f => /›\s+feature-1/.test(f), 'feature-1 selected');
		await type('a');
		await type(keys.enter);
		await type('node x');
		await type(keys.enter);
		await waitForFrame(f => f.includes('must be an integer'), 'port error');
		await type(keys.escape);
		const service = await launchFromKeys(4000, `node ${fixture} feat`);
		expect(service.branch).toBe('feature-1');
		expect(service.cwd).toContain(path.join('.port', 'trees', 'feature-1'));
	});

	it('stops the selected service (s): process gone, registry and route clean, row says stopped', async () => {
		await mount();
		const service = await launchFromKeys(3000, `node ${fixture}`);
		await type('s');
		await waitForFrame(f => f.includes('stopped') && f.includes('Stopped app:3000'), 'stopped');
		expect(readRegistry().hostServices).toEqual([]);
		expect(isProcessAlive(service.pid)).toBe(false);
		// s on an ended row removes it from the list.
		await type('s');
		await waitForFrame(f => !f.includes(':3000 ->'), 'row removed');
	});

	it('restarts the selected service (r): same port and registry id, new pid', async () => {
		await mount();
		const before = await launchFromKeys(3000, `node ${fixture}`);
		await type('r');
		const after = await waitFor(() => readRegistry().hostServices.find(s => s.id === before.id && s.pid !== before.pid), {what: 'new pid'});
		expect(after.actualPort).toBe(before.actualPort);
		await waitForFrame(f => f.includes(`pid ${after.pid}`) && f.includes('restarting ──'), 'restarted row');
		expect(isProcessAlive(before.pid)).toBe(false);
	});

	it('shows exited(code) and crashed, and r starts an ended service again', async () => {
		await mount();
		writeFileSync(path.join(scripts, 'exit3.cjs'), "console.log('bye'); setTimeout(() => process.exit(3), 400);\n");
		const first = await launchFromKeys(3000, `node ${path.join(scripts, 'exit3.cjs')}`);
		await waitForFrame(f => /:3000 -> :\d+ .*exited\(3\)/.test(f) && f.includes('bye'), 'exited(3)');
		expect(readRegistry().hostServices).toEqual([]);
		await type('r');
		const again = await waitFor(() => readRegistry().hostServices.find(s => s.logicalPort === 3000), {what: 'started again'});
		expect(again.id).not.toBe(first.id);
		expect(again.owner).toBe('ui');
		await type('s');
		await waitFor(() => readRegistry().hostServices.length === 0, {what: 'stopped'});
		const crashing = await launchFromKeys(4000, `node ${fixture}`);
		process.kill(crashing.pid, 'SIGSEGV');
		await waitForFrame(f => /:4000 -> :\d+ .*crashed \(SIGSEGV\)/.test(f), 'crashed');
	});

	it('force-kills the selected service (X)', async () => {
		await mount();
		const service = await launchFromKeys(3000, `node ${fixture}`);
		await type('X');
		await waitFor(() => readRegistry().hostServices.length === 0, {what: 'entry removed'});
		expect(isProcessAlive(service.pid)).toBe(false);
		await waitForFrame(f => f.includes('SIGKILL'), 'kill message');
	});

	it('scrolls the log (PgUp, arrows) and follows again at the bottom', async () => {
		await mount();
		await launchFromKeys(3000, `node ${path.join(scripts, 'lines.cjs')}`);
		await waitForFrame(f => f.includes('line 99'), 'last line');
		await type(keys.tab);
		await type(keys.pageUp);
		await waitForFrame(f => !f.includes('line 99') && f.includes('End to follow'), 'scrolled up');
		const scrolled = frame();
		await type('k');
		await waitForFrame(f => f !== scrolled, 'one more line up');
		await type(keys.pageDown);
		await type(keys.pageDown);
		await type(keys.pageDown);
		await waitForFrame(f => f.includes('line 99') && f.includes('── follow'), 'follow re-engaged');
		await type(keys.pageUp);
		await waitForFrame(f => !f.includes('line 99'), 'up again');
		await type(keys.end);
		await waitForFrame(f => f.includes('line 99') && f.includes('── follow'), 'End follows');
	});

	it('searches the log with / and moves between matches with n / N', async () => {
		await mount();
		await launchFromKeys(3000, `node ${path.join(scripts, 'lines.cjs')}`);
		await waitForFrame(f => f.includes('line 99'), 'output');
		await type(keys.tab);
		await type('/');
		await type('line 1');
		await waitForFrame(f => f.includes('search log: /line 1'), 'search input');
		// While typing, n and q are text, not shortcuts.
		await type(keys.enter);
		await waitForFrame(f => /▶line 19\b/.test(f) && f.includes('(11 matches)'), 'newest match');
		await type('n');
		await waitForFrame(f => /▶line 18\b/.test(f), 'older match');
		await type('N');
		await waitForFrame(f => /▶line 19\b/.test(f), 'newer match');
		await type(keys.escape);
		await waitForFrame(f => !f.includes('▶'), 'search cleared');
	});

	it('filters the worktree list with /, typing never triggers shortcuts', async () => {
		await mount();
		await type('/');
		await type('feaq');
		await waitForFrame(f => f.includes('No worktree matches "feaq"') && f.includes('filter worktrees: /feaq'), 'no match');
		expect(store().getState().phase).toBe('running');
		await type('\u007F');
		await type('tu');
		await waitForFrame(f => f.includes('feature-1') && !/\* app\s+main/.test(f), 'filtered');
		await type(keys.enter);
		expect(store().getState().filter).toBe('featu');
		await type('/');
		await type(keys.escape);
		await waitForFrame(f => /\* app\s+main/.test(f), 'filter cleared');
	});

	it('quit with owned services asks; s stops them and leaves nothing behind', async () => {
		await mount();
		const service = await launchFromKeys(3000, `node ${fixture}`);
		await type('q');
		await waitForFrame(f => f.includes('This dashboard started 1 running service: app:3000') && f.includes('[l] leave them running'), 'quit dialog');
		await type('c');
		await waitForFrame(f => !f.includes('This dashboard started'), 'cancelled');
		await type('q');
		await type('s');
		await waitFor(() => store().getState().phase === 'done', {what: 'done'});
		expect(store().getState().exitSummary).toBe('Stopped app:3000.');
		expect(readRegistry().hostServices).toEqual([]);
		expect(isProcessAlive(service.pid)).toBe(false);
	});

	it('quit with owned services: l leaves them running and registered', async () => {
		await mount();
		const service = await launchFromKeys(3000, `node ${fixture}`);
		await type('q');
		await type('l');
		await waitFor(() => store().getState().phase === 'done', {what: 'done'});
		expect(store().getState().exitSummary).toContain('Left running: app:3000');
		expect(readRegistry().hostServices.map(s => s.id)).toEqual([service.id]);
		expect(isProcessAlive(service.pid)).toBe(true);
		process.kill(-service.pid, 'SIGKILL');
	});

	it('quits at once without owned services, and Ctrl+C twice stops owned ones', async () => {
		await mount();
		const service = await launchFromKeys(3000, `node ${fixture}`);
		await type(keys.ctrlC);
		await waitForFrame(f => f.includes('This dashboard started'), 'asked');
		await type(keys.ctrlC);
		await waitFor(() => store().getState().phase === 'done', {what: 'done'});
		expect(isProcessAlive(service.pid)).toBe(false);
		await mount();
		await type('q');
		expect(store().getState().phase).toBe('done');
	});

	it('shows a port run service of another repository in its own section, with its log, and restarts it in place', async () => {
		const other = makeRepo('other');
		const run = startPort(['run', '3000', '--', process.execPath, fixture, 'elsewhere'], other, {portHome, dockerBin});
		const entry = await waitFor(() => readRegistry().hostServices.find(s => s.repo === other), {what: 'port run registered'});
		await mount();
		await waitForFrame(f => f.includes('Other repositories') && /other\/other\s+● :3000 -> :\d+/.test(f) && f.includes(`port run (pid ${run.pid})`), 'other repo section');
		await type('G');
		await waitForFrame(f => f.includes(`elsewhere listening on ${entry.actualPort}`), 'port run log followed from its file');
		await type('r');
		const restarted = await waitFor(() => readRegistry().hostServices.find(s => s.id === entry.id && s.pid !== entry.pid), {what: 'restarted in place'});
		expect(restarted.supervisorPid).toBe(run.pid);
		await waitForFrame(f => f.includes('restart it in place'), 'message');
		await type('s');
		await waitFor(() => run.exitCode !== null, {what: 'port run exits'});
		await waitForFrame(f => /:3000 -> :\d+ .*stopped/.test(f), 'stopped row');
	});

	it('runs compose up / down for the selected worktree with progress and the result', async () => {
		let release!: () => void;
		const gate = new Promise<void>(resolve => (release = resolve));
		const compose = vi.fn(async (direction: 'up' | 'down', worktree: {name: string}, onText: (t: string) => void) => {
			onText(`Container ${worktree.name}-web  Starting\n`);
			await gate;
			onText(`Container ${worktree.name}-web  Started\n`);
			return {ok: direction === 'up', exitCode: direction === 'up' ? 0 : 1, lastLine: direction === 'up' ? 'web: http://feature-1.port:3000' : 'boom'};
		});
		await mount({compose});
		await type('j');
		await type('u');
		await waitForFrame(f => f.includes('compose up…') && f.includes('feature-1-web  Starting'), 'progress');
		release();
		await waitForFrame(f => f.includes('compose up feature-1: done (web: http://feature-1.port:3000)'), 'result');
		expect(compose).toHaveBeenCalledWith('up', expect.objectContaining({name: 'feature-1'}), expect.any(Function));
		await type('d');
		await waitForFrame(f => f.includes('compose down feature-1 failed: boom'), 'failure shown');
	});

	it('lists compose services from the docker snapshot and opens URLs (shown too)', async () => {
		const opened: string[] = [];
		await mount({
			openUrl: async url => void opened.push(url),
			dockerSnapshot: async () => ({
				ok: true,
				traefik: {state: 'running'},
				containers: [{id: '1', name: 'c1', state: 'running', status: 'Up', project: 'x', service: 'web', workingDir: path.join(repo, '.port', 'trees', 'feature-1'), routedPorts: [3000], publishedPorts: []}],
			}),
			followCompose: (_project, _service, onText) => {
				onText('compose log line\n');
				return {stop() {}};
			},
		});
		await waitForFrame(f => /◆ web\s+running\s+:3000\s+http:\/\/feature-1\.port:3000/.test(f), 'compose row');
		await type('G');
		await waitForFrame(f => f.includes('compose log line'), 'compose logs');
		await type('o');
		await waitForFrame(f => f.includes('Opened http://feature-1.port:3000'), 'opened');
		expect(opened).toEqual(['http://feature-1.port:3000']);
	});

	it('keeps the frame below the terminal height and reflows on resize', async () => {
		const app = await mount();
		await launchFromKeys(3000, `node ${path.join(scripts, 'lines.cjs')}`);
		await waitForFrame(f => f.includes('line 99'), 'output');
		const stdout = app.stdout as unknown as {rows: number; emit: (e: string) => void};
		for (const rows of [12, 40, 8]) {
			Object.defineProperty(stdout, 'rows', {value: rows, configurable: true});
			stdout.emit('resize');
			await tick(80);
			expect(frame().split('\n').length).toBeLessThan(rows);
			expect(frame()).toContain('line 99');
		}
	});

	it('shows Docker as unavailable and turns warnings into messages', async () => {
		await mount({dockerSnapshot: async () => ({ok: false, reason: 'Docker is not installed', traefik: {state: 'unavailable', reason: 'Docker is not installed'}})});
		await waitForFrame(f => f.includes('Docker unavailable'), 'header');
		const {warn} = await import('../../source/core/warnings.js');
		warn('something odd');
		await waitForFrame(f => f.includes('something odd'), 'warning in the UI');
		await type('?');
		await waitForFrame(f => f.includes('Quit dialog') || f.includes('Log pane'), 'help');
	});
});
