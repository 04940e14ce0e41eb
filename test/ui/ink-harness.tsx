// Shared set-up of the ink dashboard tests: a temp PORT_HOME, a fake docker, a real git repo
// (optionally with declared services) and the App rendered by ink-testing-library.
import {writeFileSync, mkdirSync} from 'node:fs';
import path from 'node:path';
import {render} from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import {detectProject} from '../../source/core/git/project.js';
import {createDashboardStore, type DashboardDeps, type DashboardStore} from '../../source/core/dashboard/store.js';
import {App, type AppProps} from '../../source/ui/app.js';
import {fakeDocker, makeRepo, pathWith, runCleanups, tempDir, waitFor} from '../helpers/env.js';

export const tick = (ms = 30) => new Promise(resolve => setTimeout(resolve, ms));
export const keys = {enter: '\r', escape: '\u001B', tab: '\t', up: '\u001B[A', down: '\u001B[B', pageUp: '\u001B[5~', pageDown: '\u001B[6~', end: '\u001B[F', ctrlC: '\u0003'};

export interface Harness {
	repo: string;
	scripts: string;
	store: DashboardStore;
	ui: ReturnType<typeof render>;
	frame(): string;
	waitForFrame(check: (text: string) => boolean, what: string, timeout?: number): Promise<true>;
	type(text: string): Promise<void>;
	resize(columns: number, rows: number): Promise<void>;
}

let current: {store: DashboardStore; ui: ReturnType<typeof render>} | undefined;

/** A repo whose .port/config.jsonc declares `services` (when given), and a scripts directory. */
export function prepare(configOf?: object | ((scripts: string) => object)): {repo: string; scripts: string; portHome: string; dockerBin: string} {
	const portHome = tempDir('port-ui-home-');
	const dockerBin = fakeDocker().bin;
	process.env['PORT_HOME'] = portHome;
	process.env['PATH'] = pathWith(dockerBin);
	process.env['PORT_STOP_TIMEOUT'] = '2000';
	const repo = makeRepo('app');
	const scripts = tempDir('port-ui-scripts-');
	const config = typeof configOf === 'function' ? configOf(scripts) : configOf;
	if (config) {
		mkdirSync(path.join(repo, '.port'), {recursive: true});
		writeFileSync(path.join(repo, '.port', 'config.jsonc'), JSON.stringify(config, null, 2));
	}
	return {repo, scripts, portHome, dockerBin};
}

/** Unmounts the dashboard, stops what it still runs (as `s` in the quit dialog would) and disposes its store. */
async function release(mounted: NonNullable<typeof current>): Promise<void> {
	mounted.ui.unmount();
	if (mounted.store.getState().phase === 'running') await mounted.store.getState().confirmQuit('stop');
	mounted.store.getState().dispose();
}

/** Renders the dashboard for `repo` (a second mount in one test releases the first). */
export async function mount(repo: string, scripts: string, extra: Partial<DashboardDeps> = {}, app: Pick<AppProps, 'mouse'> = {}): Promise<Harness> {
	if (current) await release(current);
	const store = createDashboardStore({
		project: detectProject(repo)!,
		dockerSnapshot: async () => ({ok: true, traefik: {state: 'running'}, containers: []}),
		routedUrlProblem: async () => undefined,
		pollMs: 60_000,
		...extra,
	});
	store.getState().start();
	const ui = render(<App store={store} {...app} />);
	current = {store, ui};
	await tick(60);
	const frame = () => stripAnsi(ui.lastFrame() ?? '');
	return {
		repo,
		scripts,
		store,
		ui,
		frame,
		waitForFrame: (check, what, timeout = 10_000) => waitFor(() => check(frame()), {what: `${what}\n--- last frame ---\n${frame()}`, timeout}),
		type: async text => {
			ui.stdin.write(text);
			await tick();
		},
		resize: async (columns, rows) => {
			const stdout = ui.stdout as unknown as {emit: (e: string) => void};
			Object.defineProperty(stdout, 'columns', {value: columns, configurable: true});
			Object.defineProperty(stdout, 'rows', {value: rows, configurable: true});
			stdout.emit('resize');
			await tick(80);
		},
	};
}

export async function unmount(): Promise<void> {
	if (current) await release(current);
	current = undefined;
	await runCleanups();
}
