import type {Action, Focus, Mode} from '../core/dashboard/store.js';

/** The parts of Ink's `Key` the map looks at (a plain object in tests). */
export interface KeyInfo {
	upArrow?: boolean;
	downArrow?: boolean;
	leftArrow?: boolean;
	rightArrow?: boolean;
	pageUp?: boolean;
	pageDown?: boolean;
	home?: boolean;
	end?: boolean;
	return?: boolean;
	escape?: boolean;
	ctrl?: boolean;
	meta?: boolean;
	shift?: boolean;
	tab?: boolean;
	backspace?: boolean;
	delete?: boolean;
}

export interface KeyContext {
	mode: Mode;
	focus: Focus;
}

const textModes: ReadonlySet<Mode> = new Set(['launch', 'filter', 'search']);
const hasFlag = (key: KeyInfo) => Object.values(key).some(v => v === true);

const printable = (input: string) => input.replace(/[\u0000-\u001F\u007F]/g, '');

/** Text inputs (launch form, filter, search): every printable key is text, never a shortcut. */
function inputKey(input: string, key: KeyInfo, mode: Mode): Action | undefined {
	if (key.escape || (key.ctrl && input === 'c')) return {type: 'cancel'};
	if (key.return) return {type: 'submit'};
	if (key.tab) return mode === 'launch' ? {type: 'nextField'} : undefined;
	// Ink reports the Backspace key as `delete` on most terminals.
	if (key.backspace || key.delete) return {type: 'backspace'};
	// Filter: move in the list; launch form: pick among the declared services.
	if ((mode === 'filter' || mode === 'launch') && (key.upArrow || key.downArrow)) return {type: 'move', delta: key.upArrow ? -1 : 1};
	if (key.ctrl || key.meta || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown) return undefined;
	const text = printable(input);
	return text === '' ? undefined : {type: 'input', text};
}

/**
 * The whole key binding of the dashboard as a pure function: what a key press means in the
 * current mode and focus. `undefined` means the key does nothing here.
 */
export function keyToAction(input: string, key: KeyInfo, context: KeyContext): Action | undefined {
	const {mode, focus} = context;
	if (textModes.has(mode)) return inputKey(input, key, mode);
	if (key.ctrl && input === 'c') return {type: 'interrupt'};
	if (mode === 'quit') {
		if (input === 's' || input === 'y') return {type: 'quitChoice', choice: 'stop'};
		if (input === 'l') return {type: 'quitChoice', choice: 'leave'};
		if (input === 'c' || input === 'n' || key.escape) return {type: 'quitChoice', choice: 'cancel'};
		return undefined;
	}
	if (mode === 'copy') return copyKey(input, key);
	if (mode === 'help') {
		if (input === 'q') return {type: 'quit'};
		return key.escape || key.return || input === '?' ? {type: 'help'} : undefined;
	}
	if (key.ctrl || key.meta) {
		if (key.escape) return {type: 'cancel'};
		return undefined;
	}
	if (key.escape) return {type: 'cancel'};
	if (key.tab) return {type: 'focusNext'};
	if (key.pageUp) return {type: 'page', delta: -1};
	if (key.pageDown) return {type: 'page', delta: 1};
	if (focus === 'list') {
		if (key.upArrow || input === 'k') return {type: 'move', delta: -1};
		if (key.downArrow || input === 'j') return {type: 'move', delta: 1};
		if (key.home || input === 'g') return {type: 'moveEdge', to: 'top'};
		if (key.end || input === 'G') return {type: 'moveEdge', to: 'bottom'};
		if (key.rightArrow || key.return) return {type: 'focusNext'};
		if (input === '/') return {type: 'openFilter'};
	} else {
		if (key.upArrow || input === 'k') return {type: 'scroll', delta: -1};
		if (key.downArrow || input === 'j') return {type: 'scroll', delta: 1};
		if (key.home || input === 'g') return {type: 'scrollEdge', to: 'top'};
		if (key.end || input === 'G' || input === 'f') return {type: 'scrollEdge', to: 'bottom'};
		if (key.leftArrow) return {type: 'focusNext'};
		if (input === '/') return {type: 'openSearch'};
		if (input === 'n') return {type: 'searchNext', direction: -1};
		if (input === 'N') return {type: 'searchNext', direction: 1};
	}
	switch (input) {
		case 'q':
			return {type: 'quit'};
		case '?':
			return {type: 'help'};
		case 'a':
			return {type: 'openLaunch'};
		case 's':
			return {type: 'stop'};
		case 'r':
			return {type: 'restart'};
		case 'X':
			return {type: 'forceKill'};
		case 'u':
			return {type: 'composeUp'};
		case 'd':
			return {type: 'composeDown'};
		case 'o':
			return {type: 'openUrl'};
		case 'c':
			return {type: 'openCopy'};
		case 'y':
			return {type: 'yankUrl'};
		case 'A':
			return {type: 'startDeclared'};
		default:
			return undefined;
	}
}

/** Copy mode: a cursor over the log lines, v marks where the selection starts, y copies it. */
function copyKey(input: string, key: KeyInfo): Action | undefined {
	if (key.escape || (key.ctrl && input === 'c')) return {type: 'cancel'};
	if (input === 'q') return {type: 'quit'};
	if (input === '?') return {type: 'help'};
	if (key.upArrow || input === 'k') return {type: 'copyMove', delta: -1};
	if (key.downArrow || input === 'j') return {type: 'copyMove', delta: 1};
	if (key.pageUp) return {type: 'copyMove', delta: -10};
	if (key.pageDown) return {type: 'copyMove', delta: 10};
	if (key.home || input === 'g') return {type: 'copyMove', delta: -Number.MAX_SAFE_INTEGER};
	if (key.end || input === 'G') return {type: 'copyMove', delta: Number.MAX_SAFE_INTEGER};
	if (input === 'v' || input === ' ') return {type: 'copyMark'};
	if (input === 'y' || key.return) return {type: 'copyYank'};
	return undefined;
}

/** A control character inside a chunk, as the key Ink would report for it alone. */
function controlKey(c: string): [string, KeyInfo] | undefined {
	if (c === '\r' || c === '\n') return ['', {return: true}];
	if (c === '\t') return ['', {tab: true}];
	if (c === '\u007F' || c === '\b') return ['', {backspace: true}];
	if (c === '\u001B') return ['', {escape: true}];
	const code = c.charCodeAt(0);
	if (code >= 1 && code <= 26) return [String.fromCharCode(code + 96), {ctrl: true}];
	return undefined;
}

/**
 * Ink hands over a chunk of typed or pasted text as ONE input ("3000\r", "jj", three
 * backspaces) when keys arrive together. Splits it into key presses: each control character
 * (Enter, Tab, Backspace, Ctrl+x) on its own, printable text as runs.
 */
export function splitInput(input: string, key: KeyInfo): Array<[string, KeyInfo]> {
	if (input.length <= 1 || (hasFlag(key) && !(key.shift && /^[A-Z]$/.test(input)))) return [[input, key]];
	const out: Array<[string, KeyInfo]> = [];
	for (const part of input.match(/[\u0000-\u001F\u007F]|[^\u0000-\u001F\u007F]+/g) ?? []) {
		if (part.length === 1 && /[\u0000-\u001F\u007F]/.test(part)) {
			const control = controlKey(part);
			if (control) out.push(control);
		} else {
			out.push([part, {}]);
		}
	}
	return out;
}

/**
 * Every key of one input chunk, in order, each mapped in the mode the previous one left: a run
 * of text is typed whole into a text field, but outside one it is one key per character ("jj"
 * moves twice, "a3000" opens the form and types the port).
 */
export function inputToActions(input: string, key: KeyInfo, context: () => KeyContext, perform: (action: Action) => void): void {
	const queue = splitInput(input, key);
	while (queue.length > 0) {
		const [text, info] = queue.shift()!;
		const current = context();
		const chars = [...text];
		if (chars.length > 1 && !hasFlag(info) && !textModes.has(current.mode)) {
			queue.unshift([chars[0]!, {}], [chars.slice(1).join(''), {}]);
			continue;
		}
		const action = keyToAction(text, info, current);
		if (action) perform(action);
	}
}

export interface KeyHelp {
	keys: string;
	what: string;
}

/** Full help (`?`), grouped; the readme lists the same table. */
export const helpSections: Array<{title: string; keys: KeyHelp[]}> = [
	{
		title: 'Everywhere',
		keys: [
			{keys: 'Tab', what: 'switch focus between the service list and the log pane'},
			{keys: 'a', what: 'launch in the selected worktree: a declared service (↑↓ Enter), or a logical port + command'},
			{keys: 'A', what: 'start every declared service of the selected worktree that is not running'},
			{keys: 's', what: 'stop the selected host service (on an ended one: remove it from the list)'},
			{keys: 'r', what: 'restart the selected host service (starts it if it ended, or a declared one)'},
			{keys: 'X', what: 'force-kill the selected host service (SIGKILL to its process group)'},
			{keys: 'u / d', what: 'docker compose up / down for the selected worktree'},
			{keys: 'o', what: 'open the selected service URL in the browser (the URL is shown too)'},
			{keys: 'y', what: 'copy the selected service URL (OSC 52 and pbcopy / wl-copy / xclip)'},
			{keys: 'c', what: 'copy mode: select log lines with the cursor keys'},
			{keys: 'PgUp / PgDn', what: 'scroll the log a page'},
			{keys: 'Esc', what: 'clear the search / close a form'},
			{keys: '?', what: 'this help'},
			{keys: 'q / Ctrl+C', what: 'quit (asks what to do with services this dashboard started)'},
		],
	},
	{
		title: 'Service list',
		keys: [
			{keys: '↑ ↓ / k j', what: 'select a worktree or service'},
			{keys: 'g / G', what: 'first / last row'},
			{keys: '/', what: 'filter worktrees by name (Enter keeps it, Esc clears it)'},
			{keys: 'Enter / →', what: 'focus the log pane'},
		],
	},
	{
		title: 'Log pane',
		keys: [
			{keys: '↑ ↓ / k j', what: 'scroll a line (scrolling to the bottom follows again)'},
			{keys: 'g / G, f, End', what: 'top / bottom and follow'},
			{keys: '/', what: 'search (case-insensitive); Enter jumps to the newest match'},
			{keys: 'n / N', what: 'next older / next newer match'},
			{keys: '←', what: 'back to the service list'},
		],
	},
	{
		title: 'Copy mode (c)',
		keys: [
			{keys: '↑ ↓ / k j', what: 'move the cursor (PgUp/PgDn 10 lines, g / G first / last)'},
			{keys: 'v / Space', what: 'mark: the selection runs from the mark to the cursor'},
			{keys: 'y / Enter', what: 'copy the selected lines without colours, then leave copy mode'},
			{keys: 'Esc', what: 'leave copy mode'},
			{keys: 'mouse', what: 'click a line to select it, drag to select more, wheel to scroll'},
		],
	},
	{
		title: 'Quit dialog',
		keys: [
			{keys: 's', what: 'stop the services this dashboard started, then quit'},
			{keys: 'l', what: 'leave them running (still registered: port list / port kill)'},
			{keys: 'c / Esc', what: 'cancel'},
		],
	},
];
