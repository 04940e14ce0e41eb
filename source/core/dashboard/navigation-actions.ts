// Selection, the filter/search/launch inputs, and quitting.
import type {SupervisedService} from '../supervise/supervisor.js';
import {splitCommand} from './command-line.js';
import type {StoreContext} from './context.js';
import type {HostActions} from './host-actions.js';
import type {LogFollowers} from './log-followers.js';
import {listRows} from './selectors.js';

export interface NavigationActions {
	select(key: string): void;
	move(delta: number | 'top' | 'bottom'): void;
	submitForm(): void;
	pick(delta: number): void;
	editInput(edit: (text: string) => string): void;
	/** Asks before quitting when this dashboard owns running services. */
	quit(): void;
	confirmQuit(choice: 'stop' | 'leave' | 'cancel'): Promise<void>;
}

interface Needs {
	followers: LogFollowers;
	launch: HostActions['launch'];
	launchDeclared(worktree: string, name: string): Promise<unknown>;
}

export function createNavigationActions(ctx: StoreContext, {followers, launch, launchDeclared}: Needs): NavigationActions {
	const {store, owned, stoppedByUs} = ctx;

	const select = (key: string) => {
		store.setState({selected: key, log: {follow: true, top: 0, match: undefined}});
		// Hints about the old selection and its log's search no longer apply.
		ctx.unsay('selection');
		ctx.unsay('search');
		followers.syncCompose();
	};

	const move = (delta: number | 'top' | 'bottom') => {
		const state = store.getState();
		const rows = listRows(state).filter(r => r.kind !== 'heading');
		if (rows.length === 0) return;
		const index = rows.findIndex(r => r.key === state.selected);
		const next = delta === 'top' ? 0 : delta === 'bottom' ? rows.length - 1 : Math.max(0, Math.min(rows.length - 1, (index === -1 ? 0 : index) + delta));
		if (rows[next]!.key !== state.selected) select(rows[next]!.key);
	};

	const submitForm = () => {
		const {form} = store.getState();
		if (form.field === 'pick') {
			const names = Object.keys(ctx.deps.project.config.services ?? {});
			const name = names[form.pick];
			if (name === undefined) return store.setState({form: {...form, field: 'port', error: undefined}});
			store.setState({mode: 'normal'});
			void launchDeclared(form.worktree, name);
			return;
		}
		if (form.field === 'port') {
			store.setState({form: {...form, field: 'command', error: undefined}});
			return;
		}
		const port = Number(form.port.trim());
		if (!Number.isInteger(port) || port < 1 || port > 65_535) {
			store.setState({form: {...form, field: 'port', error: 'The logical port must be an integer from 1 to 65535.'}});
			return;
		}
		let command: string[];
		try {
			command = splitCommand(form.command);
		} catch (error) {
			store.setState({form: {...form, error: (error as Error).message}});
			return;
		}
		if (command.length === 0) {
			store.setState({form: {...form, error: 'Type the command to run, e.g. npm run dev'}});
			return;
		}
		store.setState({mode: 'normal', form: {...form, error: undefined}});
		void launch(form.worktree, port, command);
	};

	const editInput = (edit: (text: string) => string) => {
		const state = store.getState();
		if (state.mode === 'launch') {
			const {form} = state;
			// Typing while picking a declared service starts a free-form command (its port first).
			const field = form.field === 'pick' ? 'port' : form.field;
			let value = edit(form[field]);
			if (field === 'port') value = value.replace(/[^0-9]/g, '').slice(0, 5);
			store.setState({form: {...form, field, [field]: value, error: undefined}});
		} else if (state.mode === 'filter') {
			const filter = edit(state.filter);
			store.setState({filter});
			// Keep a visible row selected while the list narrows.
			const rows = listRows({...store.getState(), filter}).filter(r => r.kind !== 'heading');
			if (!rows.some(r => r.key === state.selected) && rows[0]) select(rows[0].key);
		} else if (state.mode === 'search') {
			store.setState({searchInput: edit(state.searchInput)});
		}
	};

	/** ↑↓ in the launch form's list of declared services (the last entry is "another command"). */
	const pick = (delta: number) => {
		const {form} = store.getState();
		if (form.field !== 'pick') return;
		const count = Object.keys(ctx.deps.project.config.services ?? {}).length + 1;
		store.setState({form: {...form, pick: (form.pick + delta + count) % count}});
	};

	const ownedRunning = (): [string, SupervisedService][] => [...owned.entries()].filter(([, s]) => s.entry !== undefined);

	const finish = (summary: string) => {
		store.getState().dispose();
		store.setState({phase: 'done', exitSummary: summary});
	};

	const confirmQuit = async (choice: 'stop' | 'leave' | 'cancel') => {
		if (choice === 'cancel') return store.setState({mode: 'normal'});
		const services = ownedRunning();
		const labels = services.map(([, s]) => `${s.identity.branch}:${s.identity.logicalPort}`).join(', ');
		if (choice === 'leave') {
			for (const [, supervised] of services) supervised.detach();
			owned.clear();
			return finish(services.length > 0 ? `Left running: ${labels} (see port list; stop with port kill).` : '');
		}
		store.setState({phase: 'stopping', mode: 'normal'});
		for (const [key] of services) stoppedByUs.add(key);
		await Promise.all(services.map(([, s]) => s.stop()));
		finish(services.length > 0 ? `Stopped ${labels}.` : '');
	};

	const quit = () => {
		if (store.getState().phase !== 'running') return;
		if (ownedRunning().length > 0) store.setState({mode: 'quit'});
		else finish('');
	};

	return {select, move, pick, submitForm, editInput, quit, confirmQuit};
}
