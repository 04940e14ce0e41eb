import {randomBytes} from 'node:crypto';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {processesWith, readRegistryFile, routeFiles} from '../helpers/cli.js';
import {addWorktree, fakeDocker, makeRepo, runCleanups, tempDir, waitFor} from '../helpers/env.js';
import {startDashboardInTmux} from '../helpers/tmux.js';

// The real dashboard in a real terminal (tmux), driven by keys like a user would.
const fixture = path.resolve(import.meta.dirname, '../fixtures/server.cjs');

afterEach(runCleanups);

describe('port ui in a real terminal (tmux)', () => {
	it('launches, shows, restarts and stops a service, quits, and leaves nothing behind', async () => {
		const portHome = tempDir('port-ui-tmux-home-');
		const docker = fakeDocker();
		const repo = makeRepo('app');
		const feature1 = addWorktree(repo, 'feature-1');
		addWorktree(repo, 'feature-2');
		const marker = `from-ui-${randomBytes(4).toString('hex')}`;
		const {screen, send, sendText, waitScreen} = startDashboardInTmux({cwd: feature1, portHome, dockerBin: docker.bin, width: 120, height: 40, extraEnv: {HOME: process.env['HOME'] ?? portHome}});

		await waitScreen(s => /\* feature-1\s+feature-1\s+\(current\)/.test(s) && s.includes('feature-2') && s.includes('q quit'), 'dashboard with both worktrees, current marked');
		// The frame fits: the header is still the first row (a too-tall frame would scroll it away).
		expect(screen().split('\n')[0]).toMatch(/^port ui {2}app /);

		send('a');
		await waitScreen(s => s.includes('Logical port:'), 'launch form');
		sendText('3000');
		send('Enter');
		sendText(`node ${fixture} ${marker}`);
		send('Enter');
		const row = await waitScreen(s => /:3000 -> :\d+ .*running/.test(s), 'service row');
		void row;
		const entry = await waitFor(() => readRegistryFile(portHome).hostServices[0], {what: 'registry entry'});
		expect(entry).toMatchObject({branch: 'feature-1', logicalPort: 3000, owner: 'ui'});
		await waitScreen(s => s.includes(`:3000 -> :${entry.actualPort}`) && s.includes(`${marker} listening on ${entry.actualPort}`), 'allocated port and log line');
		expect(routeFiles(portHome)).toHaveLength(1);

		send('r');
		const restarted = await waitFor(() => readRegistryFile(portHome).hostServices.find(s => s.id === entry.id && s.pid !== entry.pid), {what: 'restart'});
		await waitScreen(s => s.includes(`pid ${restarted.pid}`) && s.includes('── restarting ──'), 'restarted on screen');

		send('s');
		await waitScreen(s => /:3000 -> :\d+ .*stopped/.test(s), 'stopped on screen');
		expect(readRegistryFile(portHome).hostServices).toEqual([]);

		send('q');
		await waitScreen(s => s.includes('PORT-UI-EXITED 0'), 'port ui exited 0');
		expect(readRegistryFile(portHome).hostServices).toEqual([]);
		expect(routeFiles(portHome)).toEqual([]);
		expect(processesWith(marker)).toEqual([]);
	});

	it('quitting with a running service: Ctrl+C asks, s stops it', async () => {
		const portHome = tempDir('port-ui-tmux-home-');
		const docker = fakeDocker();
		const repo = makeRepo('app');
		const marker = `ctrlc-${randomBytes(4).toString('hex')}`;
		const {send, sendText, waitScreen} = startDashboardInTmux({cwd: repo, portHome, dockerBin: docker.bin, width: 100, height: 20});
		await waitScreen(s => s.includes('q quit'), 'dashboard');
		send('a');
		await waitScreen(s => s.includes('Logical port:'), 'form');
		sendText(`8080\rnode ${fixture} ${marker}\r`);
		await waitScreen(s => s.includes(`${marker} listening on`), 'running');
		send('C-c');
		await waitScreen(s => s.includes('[s] stop them and quit'), 'asked');
		send('s');
		await waitScreen(s => s.includes('PORT-UI-EXITED 0') && s.includes('Stopped app:8080.'), 'exited');
		expect(readRegistryFile(portHome).hostServices).toEqual([]);
		expect(routeFiles(portHome)).toEqual([]);
		expect(processesWith(marker)).toEqual([]);
	});

	it('at 60 columns: keys typed together all count, a command that does not exist gets a row, the marker and ? help / q quit stay', async () => {
		const portHome = tempDir('port-ui-tmux-home-');
		const docker = fakeDocker();
		const repo = makeRepo('app');
		addWorktree(repo, 'feature-1');
		addWorktree(repo, 'feature-2');
		const marker = `narrow-${randomBytes(4).toString('hex')}`;
		const {screen, send, sendText, waitScreen} = startDashboardInTmux({cwd: repo, portHome, dockerBin: docker.bin, width: 60, height: 24});
		const footer = () => screen().trimEnd().split('\n').at(-1)!;
		await waitScreen(s => s.includes('feature-2'), 'dashboard');
		expect(footer()).toMatch(/\? help {2}q quit$/);
		sendText('jj');
		await waitScreen(s => /› +feature-2/.test(s), 'jj moved two rows');
		sendText('kka3000');
		await waitScreen(s => s.includes('Logical port: 3000'), 'form typed in one go');
		sendText('\u007F\u007F\u007F\u007F8080\rno-such-command-xyz\r');
		await waitScreen(s => /› +○ :8080 -> :\d+ +exited 127: command not found/.test(s) && s.includes('Could not start app:8080'), 'failed row and error');
		send('s');
		await waitScreen(s => !s.includes(':8080 ->'), 'failed row removed');
		sendText(`a3000\rnode ${fixture} ${marker}-${'wide'.repeat(20)}\r`);
		await waitScreen(s => /› +● :3000 -> :\d+ +pid \d+/.test(s) && s.includes(`${marker}-wide`), 'wide row keeps its marker');
		expect(footer()).toContain('s stop');
		expect(footer()).toMatch(/\? help {2}q quit$/);
		send('q');
		await waitScreen(s => s.includes('[s] stop them'), 'asked');
		send('s');
		await waitScreen(s => s.includes('PORT-UI-EXITED 0'), 'exited');
		expect(processesWith(marker)).toEqual([]);
	});
});
