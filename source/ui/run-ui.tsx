import {appendFileSync} from 'node:fs';
import {render} from 'ink';
import {createDashboardStore, type DashboardDeps} from '../core/dashboard/store.js';
import {App} from './app.js';
import {tuneHeap} from './heap.js';
import {filterMouse} from './mouse.js';

// The alternate screen (like vim, htop, mprocs): the shell's screen and scrollback come back as
// they were on exit, and the frame starts at the top-left (mouse rows map to frame rows).
const enterScreen = '\u001B[?1049h\u001B[H';
const leaveScreen = '\u001B[?1049l';

export interface RunUiOptions extends DashboardDeps {
	/** PORT_UI_TRACE: a file that gets `key <ms>` on each key press and `frame <ms>` on each frame. */
	traceFile?: string;
}

/**
 * Renders the dashboard until the user quits. Signals (SIGTERM, SIGHUP) stop the services this
 * dashboard started before it exits, so nothing is orphaned silently. Returns the exit code.
 */
export async function runUi(options: RunUiOptions): Promise<number> {
	const untuneHeap = tuneHeap();
	const store = createDashboardStore(options);
	const trace = options.traceFile;
	const mark = trace ? (what: string) => appendFileSync(trace, `${what} ${Date.now()}\n`) : undefined;
	store.getState().start();
	const mouse = filterMouse(process.stdin, process.stdout);
	// Whatever happens (an error, a signal, a crash past us): the shell's screen comes back and
	// the terminal keeps the mouse. First thing on the way out, so an error shows on that screen.
	let restored = false;
	const restoreTerminal = () => {
		if (restored) return;
		restored = true;
		mouse.dispose();
		process.stdout.write(leaveScreen);
	};
	process.once('exit', restoreTerminal);
	let signalled: NodeJS.Signals | undefined;
	const onSignal = (signal: NodeJS.Signals) => {
		if (signalled) return;
		signalled = signal;
		void store.getState().confirmQuit('stop');
	};
	const signals = ['SIGTERM', 'SIGHUP', 'SIGINT'] as const;
	try {
		process.stdout.write(enterScreen);
		const instance = render(<App store={store} mouse={mouse} onKey={mark ? input => mark(`key:${JSON.stringify(input)}`) : undefined} />, {
			stdin: mouse.stdin,
			exitOnCtrlC: false,
			patchConsole: true,
			// Frames for log output are paced by the store (33 ms, 100 ms in a flood); this only bounds
			// bursts of keys, so a key's frame waits at most 16 ms for the previous one.
			maxFps: 60,
			onRender: mark ? () => mark('frame') : undefined,
		});
		for (const signal of signals) process.on(signal, onSignal);
		await instance.waitUntilExit();
	} finally {
		for (const signal of signals) process.off(signal, onSignal);
		process.off('exit', restoreTerminal);
		try {
			restoreTerminal();
		} finally {
			store.getState().dispose();
			untuneHeap();
		}
	}
	const summary = store.getState().exitSummary;
	if (summary) process.stdout.write(`${summary}\n`);
	if (signalled === 'SIGTERM') return 143;
	if (signalled === 'SIGHUP') return 129;
	if (signalled === 'SIGINT') return 130;
	return 0;
}
