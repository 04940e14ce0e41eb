import {execFileSync} from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import {cliPath, onCleanup, pathWith, tempDir, waitFor} from './env.js';

export type TmuxDashboard = {
	/** The tmux server's socket (`tmux -S <socket>`), in a temp dir removed at cleanup. */
	socket: string;
	/** Runs a tmux command against this server. */
	tmux: (...args: string[]) => string;
	/** The visible pane, as text. */
	screen: () => string;
	/** `send-keys` with key names (`Enter`, `C-c`, `a`). */
	send: (...keys: string[]) => string;
	/** `send-keys -l`: the text literally. */
	sendText: (text: string) => string;
	/** Waits until `check` holds for the screen; the error shows the screen. */
	waitScreen: (check: (s: string) => boolean, what: string, timeout?: number) => Promise<true>;
};

/**
 * Starts the real dashboard (`port ui` from dist/cli.js) in a detached tmux session of
 * `width`x`height` under a clean environment (`env -i`), on a private tmux server that is killed at
 * cleanup. When `port ui` exits the pane prints `PORT-UI-EXITED <code>` and stays open.
 */
export function startDashboardInTmux(options: {cwd: string; portHome: string; dockerBin: string; width: number; height: number; extraEnv?: Record<string, string>}): TmuxDashboard {
	const {cwd, portHome, dockerBin, width, height, extraEnv = {}} = options;
	// Not `-L name`: tmux leaves that socket file in /tmp/tmux-<uid>/ after kill-server.
	const socket = path.join(tempDir('port-tmux-'), 'server');
	const tmux = (...args: string[]): string => execFileSync('tmux', ['-S', socket, ...args], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
	const env = [`CI=false`, `TERM=xterm-256color`, `PORT_HOME=${portHome}`, `PATH=${pathWith(dockerBin)}`, `PORT_STOP_TIMEOUT=2000`, `TMPDIR=${os.tmpdir()}`, ...(process.env['PORT_TEST_PROBED_PORTS'] === undefined ? [] : [`PORT_TEST_PROBED_PORTS=${process.env['PORT_TEST_PROBED_PORTS']}`]), ...Object.entries(extraEnv).map(([key, value]) => `${key}=${value}`)];
	const command = `env -i ${env.map(e => `'${e}'`).join(' ')} '${process.execPath}' '${cliPath}' ui; echo PORT-UI-EXITED $?; sleep 120`;
	tmux('new-session', '-d', '-s', 'ui', '-x', String(width), '-y', String(height), '-c', cwd, command);
	onCleanup(() => {
		try {
			tmux('kill-server');
		} catch {
			// already gone
		}
	});
	const screen = () => tmux('capture-pane', '-p', '-t', 'ui');
	const send = (...keys: string[]) => tmux('send-keys', '-t', 'ui', ...keys);
	const sendText = (text: string) => tmux('send-keys', '-t', 'ui', '-l', text);
	const waitScreen = (check: (s: string) => boolean, what: string, timeout = 10_000) =>
		waitFor(() => check(screen()), {what: `${what}\n--- screen ---\n${screen()}`, timeout, interval: 50});
	return {socket, tmux, screen, send, sendText, waitScreen};
}
