import path from 'node:path';
import {createStore} from 'zustand/vanilla';
import {setWarningSink} from '../warnings.js';
import {createComposeActions} from './compose-actions.js';
import {busyRunner, createContext} from './context.js';
import {createCopyActions} from './copy-actions.js';
import {createDeclaredActions} from './declared-actions.js';
import {createDispatch} from './dispatch.js';
import {createMerger} from './merged.js';
import {watchRouting} from './routing.js';
import {createHostActions} from './host-actions.js';
import {createLogActions} from './log-actions.js';
import {createLogFollowers} from './log-followers.js';
import {createNavigationActions} from './navigation-actions.js';
import {createOpenUrl} from './open-url.js';
import {createRefresher} from './refresh.js';
import {worktreeKey} from './selectors.js';
import type {DashboardDeps, DashboardState, DashboardStore} from './types.js';

/** The dashboard's state and actions, headless: the ink UI renders it and sends it actions. */
export function createDashboardStore(deps: DashboardDeps): DashboardStore {
	// The slices only touch the store when called, which is after the initializer returned.
	return createStore<DashboardState>()((_set, _get, store) => {
		const ctx = createContext(store, deps);
		const {project, now} = ctx.deps;
		const followers = createLogFollowers(ctx);
		const {refresh, pollDocker, start: startRefreshing} = createRefresher(ctx, followers);
		const withBusy = busyRunner(ctx, refresh);
		const hosts = createHostActions(ctx, {refresh, followers, withBusy});
		const runCompose = createComposeActions(ctx, {withBusy, pollDocker});
		const openUrl = createOpenUrl(ctx);
		const logs = createLogActions(ctx);
		const declared = createDeclaredActions(ctx, hosts);
		const navigation = createNavigationActions(ctx, {followers, launch: hosts.launch, launchDeclared: declared.launchDeclared});
		const copy = createCopyActions(ctx, logs);
		const dispatch = createDispatch(ctx, {hosts, copy, declared, logs, navigation, runCompose, openUrl});
		ctx.merger = createMerger(project.repoRoot, project.config.services ?? {}, ctx.bufferFor);

		let stopWatching: (() => void) | undefined;

		const start = () => {
			const restoreWarnings = setWarningSink(text => ctx.say('warn', text));
			const stopRefreshing = startRefreshing();
			const stopRouting = watchRouting(ctx);
			stopWatching = () => {
				restoreWarnings();
				stopRouting();
				stopRefreshing();
			};
			return () => store.getState().dispose();
		};

		const dispose = () => {
			if (ctx.disposed) return;
			ctx.disposed = true;
			stopWatching?.();
			ctx.cancelFlush();
			followers.stopAll();
		};

		return {
			repoRoot: project.repoRoot,
			repoName: path.basename(project.repoRoot),
			domain: project.config.domain,
			traefik: {state: 'unknown'},
			docker: {ok: true},
			worktrees: [],
			otherHosts: [],
			// Start on the worktree we were started in.
			selected: worktreeKey(project.worktree),
			focus: 'list',
			mode: 'normal',
			filter: '',
			form: {field: 'port', pick: 0, port: '', command: '', error: undefined, worktree: project.worktree},
			searchInput: '',
			search: '',
			log: {follow: true, top: 0, match: undefined},
			copy: {cursor: 0, anchor: undefined},
			routeProblems: {},
			declaredServices: project.config.services ?? {},
			logVersion: 0,
			messages: [],
			message: undefined,
			busy: {},
			logRows: 10,
			now: now(),
			phase: 'running',
			exitSummary: undefined,
			dispatch,
			refresh,
			pollDocker,
			launch: (worktree, port, command) => hosts.launch(worktree, port, command),
			stop: hosts.stop,
			restart: hosts.restart,
			forceKill: hosts.forceKill,
			composeUp: name => runCompose('up', name),
			composeDown: name => runCompose('down', name),
			openUrl,
			yankUrl: copy.yankUrl,
			startDeclared: declared.startDeclared,
			launchDeclared: declared.launchDeclared,
			quit: navigation.quit,
			confirmQuit: navigation.confirmQuit,
			setLogRows: rows => {
				if (store.getState().logRows !== rows) store.setState({logRows: rows});
			},
			logBuffer: key => ctx.buffers.get(key ?? store.getState().selected),
			say: ctx.say,
			start,
			dispose,
		};
	});
}
