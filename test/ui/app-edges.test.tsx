import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {render} from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {detectProject} from '../../source/core/git/project.js';
import {readRegistry} from '../../source/core/registry/registry.js';
import {createDashboardStore, type DashboardStore} from '../../source/core/dashboard/store.js';
import {App} from '../../source/ui/app.js';
import {routeFiles} from '../helpers/cli.js';
import {addWorktree, fakeDocker, makeRepo, pathWith, runCleanups, tempDir, waitFor} from '../helpers/env.js';

// What a user sees at the edges: failed launches, narrow terminals, keys arriving together,
// messages that outlive what they were about.
const fixture = path.resolve(import.meta.dirname, '../fixtures/server.cjs');
const tick = (ms = 30) => new Promise(resolve => setTimeout(resolve, ms));

let portHome: string;
let repo: string;
let scripts: string;
let store: DashboardStore | undefined;
let ui: ReturnType<typeof render> | undefined;

beforeEach(() => {
	portHome = tempDir('port-ui-edges-home-');
	process.env['PORT_HOME'] = portHome;
	process.env['PATH'] = pathWith(fakeDocker().bin);
	process.env['PORT_STOP_TIMEOUT'] = '2000';
	repo = makeRepo('app');
	addWorktree(repo, 'feature-1');
	addWorktree(repo, 'feature-2');
	scripts = tempDir('port-ui-edges-scripts-');
	writeFileSync(path.join(scripts, 'lines.cjs'), "for (let i = 0; i < 20; i++) console.log('line ' + i);\nsetInterval(() => {}, 1000);\nprocess.on('SIGTERM', () => process.exit(0));\n");
});

afterEach(async () => {
	ui?.unmount();
	ui = undefined;
	if (store && store.getState().phase === 'running') await store.getState().confirmQuit('stop');
	store?.getState().dispose();
	store = undefined;
	runCleanups();
});

async function mount() {
	store = createDashboardStore({project: detectProject(repo)!, dockerSnapshot: async () => ({ok: true, traefik: {state: 'running'}, containers: []}), pollMs: 60_000});
	store.getState().start();
	ui = render(<App store={store} />);
	await tick(60);
	return ui;
}

const frame = () => stripAnsi(ui?.lastFrame() ?? '');
const lines = () => frame().split('\n');
const waitForFrame = (check: (text: string) => boolean, what: string) => waitFor(() => check(frame()), {what: `${what}\n--- last frame ---\n${frame()}`});

async function type(text: string) {
	ui!.stdin.write(text);
	await tick();
}

async function launch(port: number, command: string) {
	await type('a');
	await waitForFrame(f => f.includes('Logical port:'), 'launch form');
	await type(String(port));
	await type('\r');
	await type(command);
	await type('\r');
}

function resize(columns: number) {
	const stdout = ui!.stdout as unknown as {columns: number; emit: (e: string) => void};
	Object.defineProperty(stdout, 'columns', {value: columns, configurable: true});
	stdout.emit('resize');
}

describe('port ui edges', () => {
	it('a command that does not exist gets a row saying so and an error, no URL', async () => {
		await mount();
		await launch(3000, 'definitely-not-a-command-xyz --flag');
		await waitForFrame(f => /› +○ :3000 -> :\d+ +exited 127: command not found: definitely-not-a-command-xyz/.test(f), 'failed row, selected');
		const message = lines().at(-2)!;
		expect(message).toContain('Could not start app:3000: exited 127: command not found: definitely-not-a-command-xyz');
		expect(frame()).not.toContain('Started app:3000');
		expect(readRegistry().hostServices).toEqual([]);
		expect(routeFiles(portHome)).toEqual([]);
		// s clears the ended row like any other.
		await type('s');
		await waitForFrame(f => !f.includes(':3000 ->'), 'row removed');
	});

	it('keeps the selection marker on rows wider than the terminal, at any width', async () => {
		await mount();
		await launch(3000, `node ${fixture} ${'wide'.repeat(40)}`);
		await waitForFrame(f => /:3000 -> :\d+ .*running/.test(f), 'service running');
		for (const columns of [100, 60, 40]) {
			resize(columns);
			await tick(80);
			const row = lines().find(l => l.includes(':3000'));
			expect(row, `at ${columns} columns:\n${frame()}`).toMatch(/^› +● :3000/);
			expect(row!.length).toBeLessThanOrEqual(columns);
		}
	});

	it('handles every key of a chunk: jj moves twice, pasted backspaces all apply', async () => {
		await mount();
		await type('jj');
		await waitForFrame(f => /› +feature-2/.test(f), 'two rows down');
		await type('k');
		await type('a');
		await type('30000');
		await type('\u007F\u007F\u007F');
		await waitForFrame(f => /Logical port: 30\s*$/m.test(f), 'three backspaces applied');
		await type('\r');
		await type('npm run dev');
		await waitForFrame(f => f.includes('Command: npm run dev'), 'pasted text inserted whole');
		await type('\u001B');
		await type('kk');
		await waitForFrame(f => /›\* app/.test(f), 'back at the top');
	});

	it('replaces messages once what they describe changed', async () => {
		await mount();
		await type('s');
		await waitForFrame(f => f.includes('Select a host service to stop.'), 'hint');
		await type('j');
		await waitForFrame(f => !f.includes('Select a host service to stop.'), 'hint gone with the selection');
		await type('k');
		await launch(3000, `node ${path.join(scripts, 'lines.cjs')}`);
		await waitForFrame(f => f.includes('line 19'), 'output');
		await type('\t');
		await type('/');
		await type('zzz\r');
		await waitForFrame(f => f.includes('No match for "zzz"'), 'no match');
		await type('/');
		await type('line 7\r');
		await waitForFrame(f => /▶line 7\b/.test(f), 'match');
		expect(frame()).not.toContain('No match');
	});

	it('always shows ? help and q quit in the footer, even at 60 columns', async () => {
		await mount();
		await launch(3000, `node ${fixture}`);
		await waitForFrame(f => /:3000 -> :\d+ .*running/.test(f), 'service running');
		for (const columns of [60, 40]) {
			resize(columns);
			await tick(80);
			const footer = lines().at(-1)!;
			expect(footer, `at ${columns}`).toContain('? help');
			expect(footer).toContain('q quit');
		}
		expect(lines().at(-1)).toContain('s stop');
		await type('\t');
		await tick(80);
		expect(lines().at(-1)).toMatch(/\? help {2}q quit$/);
	});
});
