import {randomBytes} from 'node:crypto';
import {chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {processesWith, readRegistryFile, routeFiles} from '../helpers/cli.js';
import {addWorktree, fakeDocker, makeRepo, pathWith, runCleanups, tempDir, waitFor} from '../helpers/env.js';
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
		const {tmux, screen, send, sendText, waitScreen} = startDashboardInTmux({cwd: feature1, portHome, dockerBin: docker.bin, width: 120, height: 40, extraEnv: {HOME: process.env['HOME'] ?? portHome}});

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

		// The dashboard runs on the alternate screen and leaves mouse reporting off.
		expect(tmux('display-message', '-p', '-t', 'ui', '#{alternate_on} #{mouse_button_flag} #{mouse_sgr_flag}').trim()).toBe('1 0 0');
		send('q');
		await waitScreen(s => s.includes('PORT-UI-EXITED 0'), 'port ui exited 0');
		// Back on the shell's screen: the frame is gone with the alternate screen.
		expect(screen()).not.toContain('q quit');
		expect(tmux('display-message', '-p', '-t', 'ui', '#{alternate_on}').trim()).toBe('0');
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

	it('A starts every declared service and they turn ready; the worktree shows them merged; c + Enter copies a line (xclip and OSC 52), and so does the mouse', async () => {
		const portHome = tempDir('port-ui-tmux-home-');
		const docker = fakeDocker();
		const repo = makeRepo('app');
		const marker = `declared-${randomBytes(4).toString('hex')}`;
		const scripts = tempDir('port-ui-tmux-scripts-');
		const ticker = path.join(scripts, 'ticker.cjs');
		writeFileSync(ticker, "const name = process.argv[2];\nrequire('node:net').createServer(s => s.end()).listen(Number(process.env.PORT), '127.0.0.1', () => { for (let i = 0; i < 3; i++) console.log(`\\u001b[32m${name}\\u001b[0m says ${i}`); });\nsetInterval(() => {}, 1000);\nprocess.on('SIGTERM', () => process.exit(0));\n");
		mkdirSync(path.join(repo, '.port'));
		writeFileSync(path.join(repo, '.port', 'config.jsonc'), JSON.stringify({services: {web: {port: 3000, command: `node ${ticker} ${marker}-web`}, api: {port: 4000, command: `node ${ticker} ${marker}-api`}}}));
		// A fake xclip that keeps what it was given.
		const clipBin = tempDir('port-ui-tmux-clip-');
		const clipFile = path.join(clipBin, 'clipboard.txt');
		writeFileSync(path.join(clipBin, 'xclip'), `#!/bin/sh\ncat > '${clipFile}'\n`);
		chmodSync(path.join(clipBin, 'xclip'), 0o755);
		const {tmux, screen, send, sendText, waitScreen} = startDashboardInTmux({cwd: repo, portHome, dockerBin: docker.bin, width: 120, height: 30, extraEnv: {PATH: `${clipBin}${path.delimiter}${pathWith(docker.bin)}`}});
		// tmux takes OSC 52 from the app into a paste buffer.
		tmux('set-option', '-s', 'set-clipboard', 'on');

		await waitScreen(s => /○ :3000 web +declared, not running/.test(s) && /○ :4000 api +declared, not running/.test(s), 'declared rows');
		send('A');
		await waitScreen(s => /● :3000 -> :\d+ .*ready in \d/.test(s) && /● :4000 -> :\d+ .*ready in \d/.test(s), 'both ready', 30_000);
		expect(readRegistryFile(portHome).hostServices.map(s => s.logicalPort).sort()).toEqual([3000, 4000]);
		// The worktree row is selected: its services' lines merged, each prefixed with its name.
		await waitScreen(s => s.includes('app: all services') && /web +\| .*-web says 2/.test(s) && /api +\| .*-api says 2/.test(s), 'merged view');

		send('c');
		await waitScreen(s => s.includes('COPY:'), 'copy mode');
		send('Enter');
		await waitScreen(s => s.includes('Copied 1 line (OSC 52 + xclip)'), 'copied');
		const copied = await waitFor(() => existsSync(clipFile) && readFileSync(clipFile, 'utf8'), {what: 'xclip got the text'});
		// The last line of the merged view, without colours.
		expect(copied).toMatch(new RegExp(`^(web|api) +\\| ${marker}-(web|api) says 2$`));
		await waitFor(() => tmux('show-buffer') === copied, {what: `OSC 52 in tmux's paste buffer: ${JSON.stringify(copied)}`});

		// The mouse, as the terminal reports it (SGR 1006): in copy mode, press on a line, drag to the next, release, y.
		send('c');
		await waitScreen(s => s.includes('COPY:'), 'copy mode for the mouse');
		const mouseFlags = () => tmux('display-message', '-p', '-t', 'ui', '#{mouse_button_flag} #{mouse_sgr_flag}').trim();
		// Only copy mode asks for mouse reports (press/drag, SGR).
		await waitFor(() => mouseFlags() === '1 1', {what: `mouse tracking on in copy mode (flags ${mouseFlags()})`});
		const shown = screen().split('\n');
		const row = shown.findIndex(line => line.includes(`${marker}-`) && line.includes(' says ')) + 1;
		expect(row).toBeGreaterThan(0);
		// Each line starts with copy mode's one-column marker.
		const expected = [shown[row - 1]!, shown[row]!].map(line => line.slice(1).trimEnd()).join('\n');
		expect(expected).toMatch(new RegExp(`^(web|api) +\\| ${marker}-(web|api) says \\d\n(web|api) +\\| ${marker}-(web|api) says \\d$`));
		sendText(`\u001B[<0;12;${row}M`);
		sendText(`\u001B[<32;12;${row + 1}M`);
		sendText(`\u001B[<0;12;${row + 1}m`);
		await waitScreen(s => s.split('\n')[row - 1]!.startsWith('┃') && s.split('\n')[row]!.startsWith('▸'), 'two lines selected by the mouse');
		send('y');
		await waitScreen(s => s.includes('Copied 2 lines (OSC 52 + xclip)'), 'copied by mouse');
		expect(mouseFlags()).toBe('0 0');
		await waitFor(() => readFileSync(clipFile, 'utf8') === expected, {what: `xclip got the two lines: ${JSON.stringify(expected)}`});

		send('q');
		await waitScreen(s => s.includes('[s] stop them'), 'asked');
		send('s');
		await waitScreen(s => s.includes('PORT-UI-EXITED 0'), 'exited', 20_000);
		expect(processesWith(marker)).toEqual([]);
	});
});
