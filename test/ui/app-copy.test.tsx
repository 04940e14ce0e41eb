// Copy mode, `y` (copy a URL), the routed/direct URLs of the log pane and the wide layout.
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {readRegistry} from '../../source/core/registry/registry.js';
import type {MouseEvent, MouseInput} from '../../source/ui/mouse.js';
import {wheelLines} from '../../source/ui/mouse-map.js';
import {keys, mount, prepare, unmount, type Harness} from './ink-harness.js';

afterEach(unmount);

const fixture = path.resolve(import.meta.dirname, '../fixtures/server.cjs');

/** Copies land here instead of the real clipboard. */
function fakeClipboard() {
	const copied: string[] = [];
	const copyText = async (text: string) => {
		copied.push(text);
		return 'fake clipboard';
	};
	return {copied, copyText};
}

async function launch(ui: Harness, port: number, command: string) {
	await ui.type('a');
	await ui.waitForFrame(f => f.includes('Logical port:'), 'launch form');
	await ui.type(`${port}`);
	await ui.type(keys.enter);
	await ui.type(command);
	await ui.type(keys.enter);
	await ui.waitForFrame(f => new RegExp(`:${port} -> :\\d+ .*running`).test(f), 'service running', 30_000);
}

function colourScript(scripts: string): string {
	const file = path.join(scripts, 'colours.cjs');
	writeFileSync(file, "for (let i = 0; i < 5; i++) console.log('\\u001b[31mred\\u001b[0m line ' + i);\nsetInterval(() => {}, 1000);\nprocess.on('SIGTERM', () => process.exit(0));\n");
	return file;
}

describe('port ui: copying', () => {
	it('c enters copy mode; k moves the cursor, v marks, y copies the lines without colours', async () => {
		const {repo, scripts} = prepare();
		const clipboard = fakeClipboard();
		const ui = await mount(repo, scripts, {copyText: clipboard.copyText});
		await launch(ui, 3000, `node ${colourScript(scripts)}`);
		await ui.waitForFrame(f => f.includes('red line 4'), 'output');
		await ui.type('c');
		await ui.waitForFrame(f => f.includes('COPY: ↑↓ move') && f.includes('▸red line 4'), 'copy mode, cursor on the last line');
		expect(ui.store.getState().mode).toBe('copy');
		await ui.type('k');
		await ui.waitForFrame(f => f.includes('▸red line 3'), 'cursor moved up');
		await ui.type('v');
		await ui.type('k');
		await ui.waitForFrame(f => f.includes('▸red line 2') && f.includes('┃red line 3'), 'selection of two lines');
		await ui.type('y');
		await ui.waitForFrame(f => f.includes('Copied 2 lines (fake clipboard)'), 'copied');
		expect(clipboard.copied).toEqual(['red line 2\nred line 3']);
		expect(ui.store.getState().mode).toBe('normal');
		// Esc leaves copy mode without copying; Enter copies the cursor line alone.
		await ui.type('c');
		await ui.waitForFrame(f => f.includes('COPY:'), 'copy mode again');
		await ui.type(keys.escape);
		await ui.waitForFrame(f => !f.includes('COPY:'), 'left copy mode');
		await ui.type('c');
		await ui.type('g');
		await ui.type(keys.enter);
		await ui.waitForFrame(f => f.includes('Copied 1 line'), 'copied one line');
		expect(clipboard.copied).toEqual(['red line 2\nred line 3', 'red line 0']);
	});

	it('the mouse in copy mode: tracking only while copying, a press and a drag select lines, the wheel scrolls', async () => {
		const {repo, scripts} = prepare();
		const clipboard = fakeClipboard();
		const listeners = new Set<(event: MouseEvent) => void>();
		const tracked: boolean[] = [];
		const mouse: MouseInput = {
			stdin: undefined as unknown as NodeJS.ReadStream,
			onMouse: listener => {
				listeners.add(listener);
				return () => listeners.delete(listener);
			},
			track: on => void tracked.push(on),
			dispose() {},
		};
		const emit = async (event: MouseEvent) => {
			for (const listener of listeners) listener(event);
			await new Promise(resolve => setTimeout(resolve, 30));
		};
		const ui = await mount(repo, scripts, {copyText: clipboard.copyText}, {mouse});
		const rowsScript = path.join(scripts, 'rows.cjs');
		writeFileSync(rowsScript, "for (let i = 0; i < 60; i++) console.log('\\u001b[33mrow\\u001b[0m ' + i);\nsetInterval(() => {}, 1000);\nprocess.on('SIGTERM', () => process.exit(0));\n");
		await launch(ui, 3000, `node ${rowsScript}`);
		await ui.waitForFrame(f => f.includes('row 59'), 'output');
		// Outside copy mode the terminal keeps the mouse (its own selection works).
		expect(tracked.filter(Boolean)).toEqual([]);
		await emit({kind: 'press', x: 5, y: 3});
		expect(ui.store.getState().mode).toBe('normal');
		await ui.type('c');
		await ui.waitForFrame(f => f.includes('COPY:'), 'copy mode');
		expect(tracked.at(-1)).toBe(true);
		// The frame is drawn from the screen's first row: a line's row is its index in the frame + 1.
		const rowOf = (text: string) => ui.frame().split('\n').findIndex(line => line.includes(text)) + 1;
		const from = rowOf('row 55');
		expect(from).toBeGreaterThan(0);
		await emit({kind: 'press', x: 6, y: from});
		await ui.waitForFrame(f => f.includes('▸row 55'), 'cursor on the pressed line');
		await emit({kind: 'drag', x: 6, y: from + 1});
		await emit({kind: 'drag', x: 6, y: from + 2});
		await emit({kind: 'release', x: 6, y: from + 2});
		await ui.waitForFrame(f => f.includes('┃row 55') && f.includes('┃row 56') && f.includes('▸row 57'), 'three lines selected');
		await ui.type('y');
		await ui.waitForFrame(f => f.includes('Copied 3 lines (fake clipboard)'), 'copied');
		expect(clipboard.copied).toEqual(['row 55\nrow 56\nrow 57']);
		expect(tracked.at(-1)).toBe(false);
		// The wheel: up a few lines at a time, the cursor dragged along only when it leaves the view.
		await ui.type('c');
		await ui.waitForFrame(f => f.includes('▸row 59'), 'copy mode, cursor at the end');
		const topBefore = ui.store.getState().log.top;
		await emit({kind: 'wheel-up', x: 6, y: from});
		expect(ui.store.getState().log.top).toBe(topBefore - wheelLines);
		await ui.waitForFrame(f => !f.includes('row 59') && f.includes('▸row 56'), 'scrolled up 3 lines, cursor kept on screen');
		await emit({kind: 'wheel-down', x: 6, y: from});
		await ui.waitForFrame(f => f.includes('row 59'), 'scrolled back down');
		await ui.type(keys.escape);
		await ui.waitForFrame(f => !f.includes('COPY:'), 'left copy mode');
		expect(tracked.at(-1)).toBe(false);
	});

	it('c with no log lines says so; y copies the selected service URL, and asks for a service on a worktree', async () => {
		const {repo, scripts} = prepare();
		const clipboard = fakeClipboard();
		const ui = await mount(repo, scripts, {copyText: clipboard.copyText});
		await ui.type('c');
		await ui.waitForFrame(f => f.includes('No log lines here to copy.'), 'nothing to copy');
		await ui.type('y');
		await ui.waitForFrame(f => f.includes('Select a service with a URL to copy'), 'y on a worktree');
		await launch(ui, 3000, `node ${fixture}`);
		await ui.type('y');
		await ui.waitForFrame(f => f.includes('Copied http://app.port:3000 (fake clipboard)'), 'URL copied');
		expect(clipboard.copied).toEqual(['http://app.port:3000']);
	});

	it('a failing clipboard is a message, not a crash', async () => {
		const {repo, scripts} = prepare();
		const ui = await mount(repo, scripts, {copyText: async () => Promise.reject(new Error('no pbcopy, wl-copy or xclip'))});
		await launch(ui, 3000, `node ${fixture}`);
		await ui.type('y');
		await ui.waitForFrame(f => f.includes('Could not copy http://app.port:3000: no pbcopy, wl-copy or xclip'), 'warning');
	});
});

describe('port ui: URLs and layout', () => {
	it('the log pane header shows the routed and direct URLs, the routed one marked when it would not work', async () => {
		const {repo, scripts} = prepare();
		let traefik: 'running' | 'stopped' = 'running';
		const asked: string[] = [];
		const ui = await mount(repo, scripts, {
			dockerSnapshot: async () => ({ok: true, traefik: {state: traefik}, containers: []}),
			routedUrlProblem: async (hostname, state) => {
				asked.push(`${hostname} ${state?.state}`);
				return state?.state === 'stopped' ? 'routing is off (Traefik is not running)' : undefined;
			},
		});
		await launch(ui, 3000, `node ${fixture}`);
		const port = readRegistry().hostServices[0]!.actualPort;
		await ui.waitForFrame(f => f.includes(`http://app.port:3000  direct http://localhost:${port}`), 'both URLs');
		expect(ui.frame()).not.toContain('✗');
		traefik = 'stopped';
		await ui.store.getState().pollDocker();
		await ui.waitForFrame(f => f.includes(`http://app.port:3000 ✗  direct http://localhost:${port}`), 'routed URL marked');
		// The reason follows on the same line (cut on a narrow terminal).
		await ui.resize(300, 24);
		await ui.waitForFrame(f => f.includes('✗ routing is off (Traefik is not running)'), 'reason shown');
		expect(asked).toContain('app.port stopped');
	});

	it('at 160 columns and more the list and the log pane sit side by side; narrower, stacked', async () => {
		const {repo, scripts} = prepare();
		const ui = await mount(repo, scripts);
		await launch(ui, 3000, `node ${fixture} wide`);
		await ui.waitForFrame(f => f.includes('wide listening'), 'log line');
		await ui.resize(170, 30);
		await ui.waitForFrame(f => /\* app .*│── app:3000 \(running/.test(f), 'list row beside the log title');
		const lines = ui.frame().split('\n');
		expect(lines.length).toBeLessThan(30);
		expect(lines.some(l => /› .*:3000 -> .*│.*wide listening/.test(l))).toBe(true);
		expect(lines.at(-1)).toMatch(/\? help {2}q quit$/);
		await ui.resize(120, 30);
		await ui.waitForFrame(f => !f.includes('│') && f.split('\n').some(l => l.startsWith('── app:3000')), 'stacked again');
	});
});
