// Scrolling and searching the selected row's log. Positions are absolute line indices, so they
// stay put while the ring drops old lines.
import type {StoreContext} from './context.js';
import {logWindow} from './selectors.js';

export interface LogActions {
	scrollTo(top: number): void;
	/** The absolute index of the top visible line. */
	currentTop(): number;
	/** From the bottom, or onwards from the current match (or the top visible line). */
	runSearch(direction: 1 | -1, fromBottom: boolean): void;
}

export function createLogActions({store, buffers, say, unsay}: StoreContext): LogActions {
	const logKey = () => store.getState().selected;

	const scrollTo = (top: number) => {
		const state = store.getState();
		const buffer = buffers.get(logKey());
		if (!buffer) return;
		const base = buffer.total - buffer.size;
		const size = buffer.size + (buffer.pending ? 1 : 0);
		const bottomTop = base + Math.max(0, size - state.logRows);
		const clamped = Math.max(base, Math.min(top, bottomTop));
		store.setState({log: {...state.log, follow: clamped >= bottomTop, top: clamped}});
	};

	const currentTop = () => {
		const state = store.getState();
		const buffer = buffers.get(logKey());
		if (!buffer) return 0;
		return logWindow(buffer, state.log, state.logRows).first;
	};

	const runSearch = (direction: 1 | -1, fromBottom: boolean) => {
		const state = store.getState();
		const buffer = buffers.get(logKey());
		if (state.search === '') return unsay('search');
		if (!buffer) return say('warn', `No match for "${state.search}" (no log here).`, 'search');
		const base = buffer.total - buffer.size;
		const from = fromBottom ? buffer.size : state.log.match !== undefined ? state.log.match - base : currentTop() - base;
		const index = buffer.search(state.search, Math.min(Math.max(from, -1), buffer.size), direction);
		if (index === undefined) return say('warn', `No match for "${state.search}".`, 'search');
		unsay('search');
		const match = base + index;
		const top = match - Math.floor(state.logRows / 2);
		scrollTo(top);
		store.setState(s => ({log: {...s.log, match}}));
	};

	return {scrollTo, currentTop, runSearch};
}
