// Declared services in the dashboard (rows, the `a` picker, `r` and `A`), readiness states with
// the time to ready, and the worktree's merged log view (prefixes, search). Real processes.
import {mkdirSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {readRegistry} from '../../source/core/registry/registry.js';
import {keys, mount, prepare, unmount} from './ink-harness.js';

afterEach(unmount);

/** Listens on PORT (or on `listen`), prints `tick-<name>-<i>.` every 100 ms and its env VAR. */
function ticker(scripts: string): string {
	const file = path.join(scripts, 'ticker.cjs');
	writeFileSync(
		file,
		[
			"const name = process.argv[2]; const listen = Number(process.argv[3] || process.env.PORT);",
			"const server = require('node:net').createServer(s => s.end()).listen(listen, '127.0.0.1');",
			"console.log(`hello from ${name} in ${process.cwd()} VAR=${process.env.VAR}`);",
			"let i = 0; setInterval(() => console.log(`tick-${name}-${i++}.`), 100);",
			"process.on('SIGTERM', () => process.exit(0));",
		].join('\n'),
	);
	return file;
}

const freePort = () =>
	new Promise<number>(resolve => {
		const server = createServer().listen(0, '127.0.0.1', () => {
			const {port} = server.address() as {port: number};
			server.close(() => resolve(port));
		});
	});

describe('port ui: declared services', () => {
	it('lists declared-but-stopped rows; A starts every one, they turn ready with the time; the worktree row shows them merged', async () => {
		const {repo, scripts} = prepare(dir => ({services: {web: {port: 3000, command: `node ${path.join(dir, 'ticker.cjs')} web`, env: {VAR: 'w'}}, api: {port: 4000, command: `node ${path.join(dir, 'ticker.cjs')} api`}}}));
		ticker(scripts);
		const ui = await mount(repo, scripts);
		await ui.waitForFrame(f => /○ :3000 web +declared, not running/.test(f) && /○ :4000 api +declared, not running/.test(f), 'declared rows');
		expect(ui.frame()).toContain('A start all');
		await ui.type('A');
		await ui.waitForFrame(f => /● :3000 -> :\d+ .*running · ready in \d/.test(f) && /● :4000 -> :\d+ .*running · ready in \d/.test(f), 'both ready', 30_000);
		expect(ui.frame()).not.toContain('declared, not running');
		const services = readRegistry().hostServices;
		expect(services.map(s => s.logicalPort).sort()).toEqual([3000, 4000]);
		expect(services.every(s => s.owner === 'ui' && s.branch === 'app')).toBe(true);
		// The worktree row is selected: both services' lines, each prefixed with its name.
		expect(ui.store.getState().selected).toBe('wt:app');
		await ui.waitForFrame(f => /web +\| tick-web-\d+\./.test(f) && /api +\| tick-api-\d+\./.test(f), 'merged view');
		// Search works in the merged view.
		await ui.waitForFrame(f => /tick-api-5\./.test(f) || (ui.store.getState().logBuffer()?.total ?? 0) > 20, 'enough lines');
		await ui.type(keys.tab);
		await ui.type('/');
		await ui.type('tick-api-2.');
		await ui.type(keys.enter);
		await ui.waitForFrame(f => /▶api +\| tick-api-2\./.test(f) && f.includes('(1 match)'), 'search match in the merged view');
		// A again: nothing left to start.
		await ui.type('A');
		await ui.waitForFrame(f => f.includes('All declared services of app are running.'), 'all running');
	});

	it('a offers the declared services first: ↓ Enter starts the chosen one with its cwd and env; Tab goes to a free-form command', async () => {
		const {repo, scripts} = prepare(dir => ({services: {web: {port: 3000, command: `node ${path.join(dir, 'ticker.cjs')} web`}, api: {port: 4000, command: `node ${path.join(dir, 'ticker.cjs')} api`, cwd: 'sub', env: {VAR: 'x1'}}}}));
		ticker(scripts);
		mkdirSync(path.join(repo, 'sub'));
		const ui = await mount(repo, scripts);
		await ui.type('a');
		await ui.waitForFrame(f => f.includes('Declared:') && f.includes('web :3000') && f.includes('api :4000') && f.includes('other command…'), 'picker');
		await ui.type(keys.down);
		await ui.type(keys.enter);
		await ui.waitForFrame(f => /● :4000 -> :\d+ .*running/.test(f), 'api started', 30_000);
		await ui.waitForFrame(f => f.includes(`hello from api in ${path.join(repo, 'sub')} VAR=x1`), 'cwd and env of the declared service');
		expect(ui.frame()).toMatch(/○ :3000 web +declared, not running/);
		// Tab leaves the picker for the free-form fields; so does typing a port.
		await ui.type('a');
		await ui.type(keys.tab);
		await ui.waitForFrame(f => f.includes('› Logical port:'), 'free-form port field');
		await ui.type(keys.escape);
		await ui.type('a');
		await ui.waitForFrame(f => f.includes('› Declared:'), 'picker again');
		await ui.type('5000');
		await ui.type(keys.enter);
		await ui.waitForFrame(f => f.includes('Logical port: 5000') && f.includes('› Command:'), 'typed port, then the command field');
		await ui.type(keys.escape);
		// r on a declared row starts it.
		await ui.waitForFrame(f => !f.includes('Declared:'), 'form closed');
		ui.store.setState({selected: 'declared:app:web'});
		await ui.waitForFrame(f => /› +○ :3000 web/.test(f) && f.includes('r start'), 'declared row selected');
		await ui.type('r');
		await ui.waitForFrame(f => /● :3000 -> :\d+ .*running/.test(f), 'web started with r', 30_000);
	});

	it('a declared service whose cwd is missing: a clear error naming the directory, not "command not found"; nothing registered', async () => {
		const {repo, scripts} = prepare(dir => ({services: {api: {port: 4000, command: `node ${path.join(dir, 'ticker.cjs')} api`, cwd: 'gone'}}}));
		ticker(scripts);
		const ui = await mount(repo, scripts);
		await ui.waitForFrame(f => /○ :4000 api +declared, not running/.test(f), 'declared row');
		await ui.type('A');
		await ui.waitForFrame(f => f.includes('Could not start app:4000: services.api: "cwd" gone is not a directory'), 'cwd error');
		expect(ui.frame()).not.toContain('command not found');
		expect(readRegistry().hostServices).toEqual([]);
	});

	it('readiness: starting while nothing listens, not listening on PORT (listens on …) after the grace period', async () => {
		const elsewhere = await freePort();
		const {repo, scripts} = prepare(dir => ({services: {odd: {port: 3000, command: `node ${path.join(dir, 'ticker.cjs')} odd ${elsewhere}`, readyGrace: 1.5}}}));
		ticker(scripts);
		const ui = await mount(repo, scripts);
		await ui.type('A');
		await ui.waitForFrame(f => /● :3000 -> :\d+ .*running · starting/.test(f), 'starting', 30_000);
		const actual = readRegistry().hostServices[0]!.actualPort;
		await ui.waitForFrame(f => f.includes(`running · not listening on ${actual} (listens on ${elsewhere})`), 'not listening');
	});
});
