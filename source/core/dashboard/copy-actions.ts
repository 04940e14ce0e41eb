// Copy mode: a cursor over the lines of the log pane, a selection from a mark to the cursor,
// and copying it (colours stripped). Also `y` on a service: copy its URL.
import type {StoreContext} from './context.js';
import type {LogActions} from './log-actions.js';
import {plainText} from './clipboard.js';
import {logWindow, rowUrl} from './selectors.js';

export interface CopyActions {
	open(): void;
	move(delta: number): void;
	mark(): void;
	/** Selects lines `from`..`to` (the cursor goes to `to`); one line when they are equal. */
	select(from: number, to: number): void;
	/** Moves the view (the wheel), the cursor only as far as needed to stay in it. */
	scroll(delta: number): void;
	yank(): Promise<void>;
	yankUrl(key?: string): Promise<void>;
}

export function createCopyActions(ctx: StoreContext, {scrollTo, currentTop}: Pick<LogActions, 'scrollTo' | 'currentTop'>): CopyActions {
	const {store, buffers, say, rowByKey} = ctx;
	const {copyText} = ctx.deps;

	/** First and last absolute line index that can be selected (the unterminated line counts). */
	const bounds = () => {
		const buffer = buffers.get(store.getState().selected);
		if (!buffer) return undefined;
		const first = buffer.total - buffer.size;
		const last = buffer.total + (buffer.pending ? 1 : 0) - 1;
		return last < first ? undefined : {buffer, first, last};
	};

	const open = () => {
		const state = store.getState();
		const range = bounds();
		if (!range) return say('warn', 'No log lines here to copy.', 'copy');
		// Freeze the view where it is; the cursor starts on its last line.
		const view = logWindow(range.buffer, state.log, state.logRows);
		const cursor = Math.max(range.first, Math.min(range.last, view.first + Math.max(0, view.lines.length - 1)));
		store.setState({mode: 'copy', focus: 'logs', copy: {cursor, anchor: undefined}, log: {...state.log, follow: false, top: view.first}});
		ctx.unsay('copy');
	};

	/** Puts the cursor (and the mark) somewhere in `range` and scrolls the least to show it. */
	const place = (cursor: number, anchor: number | undefined) => {
		const state = store.getState();
		store.setState({copy: {cursor, anchor}});
		// The first line on screen (log.top may point at lines the buffer dropped since).
		const top = currentTop();
		if (cursor < top) scrollTo(cursor);
		else if (cursor >= top + state.logRows) scrollTo(cursor - state.logRows + 1);
		// The view stays put while selecting, even at the bottom with new lines arriving.
		store.setState(s => ({log: {...s.log, follow: false}}));
	};

	const move = (delta: number) => {
		const range = bounds();
		if (!range) return;
		const {copy} = store.getState();
		place(Math.max(range.first, Math.min(range.last, copy.cursor + delta)), copy.anchor);
	};

	const select = (from: number, to: number) => {
		const range = bounds();
		if (!range) return;
		const clamp = (line: number) => Math.max(range.first, Math.min(range.last, line));
		place(clamp(to), from === to ? undefined : clamp(from));
	};

	const scroll = (delta: number) => {
		if (!bounds()) return;
		scrollTo(currentTop() + delta);
		store.setState(s => ({log: {...s.log, follow: false}}));
		// The cursor moves only if it left the screen.
		const {logRows, copy} = store.getState();
		const top = currentTop();
		const cursor = Math.max(top, Math.min(top + Math.max(1, logRows) - 1, copy.cursor));
		if (cursor !== copy.cursor) store.setState({copy: {...copy, cursor}});
	};

	const mark = () => {
		const {copy} = store.getState();
		store.setState({copy: {...copy, anchor: copy.anchor === undefined ? copy.cursor : undefined}});
	};

	const copy = async (text: string, what: string) => {
		try {
			const how = await copyText(text);
			say('info', `Copied ${what} (${how}).`, 'copy');
		} catch (error) {
			say('warn', `Could not copy ${what}: ${error instanceof Error ? error.message : String(error)}`, 'copy');
		}
	};

	const yank = async () => {
		const {copy: selection} = store.getState();
		const range = bounds();
		store.setState({mode: 'normal'});
		if (!range) return;
		const from = Math.max(range.first, Math.min(selection.cursor, selection.anchor ?? selection.cursor));
		const to = Math.min(range.last, Math.max(selection.cursor, selection.anchor ?? selection.cursor));
		const lines: string[] = [];
		for (let i = from; i <= to; i++) {
			const index = i - range.first;
			lines.push(plainText(index < range.buffer.size ? range.buffer.line(index) : range.buffer.pending));
		}
		await copy(lines.join('\n'), lines.length === 1 ? '1 line' : `${lines.length} lines`);
	};

	const yankUrl = async (key?: string) => {
		const row = rowByKey(key);
		const url = rowUrl(row);
		if (!url) return say('warn', 'Select a service with a URL to copy (c copies log lines).', 'selection');
		await copy(url, url);
	};

	return {open, move, mark, select, scroll, yank, yankUrl};
}
