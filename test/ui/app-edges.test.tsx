import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {readRegistry} from '../../source/core/registry/registry.js';
import {routeFiles} from '../helpers/cli.js';
import {addWorktree} from '../helpers/env.js';
import {mount as mountDashboard, prepare, tick, unmount, type Harness} from './ink-harness.js';

// What a user sees at the edges: failed launches, narrow terminals, keys arriving together,
// messages that outlive what they were about.
const fixture = path.resolve(import.meta.dirname, '../fixtures/server.cjs');

let portHome: string;
let repo: string;
let scripts: string;
let ui: Harness | undefined;

beforeEach(() => {
	({repo, scripts, portHome} = prepare());
	addWorktree(repo, 'feature-1');
	addWorktree(repo, 'feature-2');
	writeFileSync(path.join(scripts, 'lines.cjs'), "for (let i = 0; i < 20; i++) console.log('line ' + i);\nsetInterval(() => {}, 1000);\nprocess.on('SIGTERM', () => process.exit(0));\n");
});

afterEach(async () => {
	ui = undefined;
	await unmount();
});

async function mount() {
	ui = await mountDashboard(repo, scripts);
	return ui.ui;
}

const frame = () => ui?.frame() ?? '';
const lines = () => frame().split('\n');
const waitForFrame = (check: (text: string) => boolean, what: string) => ui!.waitForFrame(check, what);
const type = (text: string) => ui!.type(text);

async function launch(port: number, command: string) {
	await type('a');
	await waitForFrame(f => f.includes('Logical port:'), 'launch form');
	await type(String(port));
	await type('\r');
	await type(command);
	await type('\r');
}

function resize(columns: number) {
	const stdout = ui!.ui.stdout as unknown as {columns: number; emit: (e: string) => void};
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
