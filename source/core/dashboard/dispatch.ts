// Performs the actions the key map produces, by mode and focus.
import type {RunCompose} from './compose-actions.js';
import type {StoreContext} from './context.js';
import type {CopyActions} from './copy-actions.js';
import type {DeclaredActions} from './declared-actions.js';
import {selectedRow} from './selectors.js';
import type {HostActions} from './host-actions.js';
import type {LogActions} from './log-actions.js';
import type {NavigationActions} from './navigation-actions.js';
import type {Action} from './types.js';

interface Needs {
	hosts: HostActions;
	copy: CopyActions;
	declared: DeclaredActions;
	logs: LogActions;
	navigation: NavigationActions;
	runCompose: RunCompose;
	openUrl(key?: string): Promise<void>;
}

export function createDispatch(ctx: StoreContext, {hosts, copy, declared, logs, navigation, runCompose, openUrl}: Needs): (action: Action) => void {
	const {store, say, worktreeByName} = ctx;
	const {scrollTo, currentTop, runSearch} = logs;
	const {move, pick, submitForm, editInput, quit, confirmQuit} = navigation;

	return action => {
		const state = store.getState();
		if (state.phase !== 'running') return;
		switch (action.type) {
			case 'move':
				if (state.mode === 'launch') return pick(action.delta);
				return move(action.delta);
			case 'moveEdge':
				return move(action.to);
			case 'focusNext':
				return store.setState({focus: state.focus === 'list' ? 'logs' : 'list'});
			case 'scroll':
				return scrollTo(currentTop() + action.delta);
			case 'page':
				return scrollTo(currentTop() + action.delta * Math.max(1, state.logRows - 1));
			case 'scrollEdge':
				if (action.to === 'bottom') return store.setState({log: {...state.log, follow: true}});
				return scrollTo(0);
			case 'openSearch':
				ctx.unsay('search');
				return store.setState({mode: 'search', searchInput: ''});
			case 'openFilter':
				return store.setState({mode: 'filter', focus: 'list'});
			case 'searchNext':
				if (state.search === '') return say('info', 'Press / in the log pane to search.', 'search');
				return runSearch(action.direction, false);
			case 'openLaunch': {
				const tree = worktreeByName();
				if (!tree) return say('warn', 'Select a worktree of this repository to launch a service in.', 'selection');
				// Declared services come first; the last choice is a free-form command.
				const names = Object.keys(ctx.deps.project.config.services ?? {});
				const row = selectedRow(state);
				const index = row?.kind === 'declared' ? names.indexOf(row.declared.name) : 0;
				const field = names.length > 0 ? 'pick' : 'port';
				return store.setState({mode: 'launch', form: {field, pick: Math.max(0, index), port: '', command: '', error: undefined, worktree: tree.name}});
			}
			case 'stop':
				if (selectedRow(state)?.kind === 'declared') return say('info', 'Not running; r starts it (A starts every declared service of the worktree).', 'selection');
				return void hosts.stop();
			case 'restart': {
				const row = selectedRow(state);
				if (row?.kind === 'declared') return void declared.launchDeclared(row.worktree.name, row.declared.name);
				return void hosts.restart();
			}
			case 'startDeclared':
				return void declared.startDeclared();
			case 'openCopy':
				return copy.open();
			case 'copyMove':
				return copy.move(action.delta);
			case 'copyMark':
				return copy.mark();
			case 'copySelect':
				return copy.select(action.from, action.to);
			case 'copyScroll':
				return copy.scroll(action.delta);
			case 'copyYank':
				return void copy.yank();
			case 'yankUrl':
				return void copy.yankUrl();
			case 'forceKill':
				return hosts.forceKill();
			case 'composeUp':
				return void runCompose('up');
			case 'composeDown':
				return void runCompose('down');
			case 'openUrl':
				return void openUrl();
			case 'help':
				return store.setState({mode: state.mode === 'help' ? 'normal' : 'help'});
			case 'quit':
				return quit();
			case 'interrupt':
				// Ctrl+C: quit; pressed again while asked, it stops our services (never orphans them).
				if (state.mode === 'quit') return void confirmQuit('stop');
				return quit();
			case 'quitChoice':
				return void confirmQuit(action.choice);
			case 'input':
				return editInput(text => text + action.text);
			case 'backspace':
				return editInput(text => text.slice(0, -1));
			case 'nextField':
				if (state.mode === 'launch') store.setState({form: {...state.form, field: state.form.field === 'port' ? 'command' : 'port'}});
				return;
			case 'submit':
				if (state.mode === 'launch') return submitForm();
				if (state.mode === 'search') {
					store.setState({mode: 'normal', search: state.searchInput, focus: 'logs'});
					return runSearch(-1, true);
				}
				if (state.mode === 'filter') {
					store.setState({mode: 'normal'});
					return move(0);
				}
				return;
			case 'cancel':
				if (state.mode === 'copy') return store.setState({mode: 'normal', log: {...state.log, follow: true}});
				if (state.mode === 'filter') {
					store.setState({mode: 'normal', filter: ''});
					return;
				}
				if (state.mode === 'search') return store.setState({mode: 'normal', searchInput: ''});
				if (state.mode === 'normal' && state.search !== '') {
					ctx.unsay('search');
					return store.setState({search: '', log: {...state.log, match: undefined}});
				}
				return store.setState({mode: 'normal'});
		}
	};
}
