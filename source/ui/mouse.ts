// Mouse input for the dashboard. Ink has none: with tracking on, the terminal sends SGR mouse
// reports (ESC [ < button ; column ; row M|m) on stdin, which Ink would take for keys. So Ink
// reads a filtered copy of stdin, and the reports go to `onMouse` instead.
import {StringDecoder} from 'node:string_decoder';
import {PassThrough} from 'node:stream';

export interface MouseEvent {
	kind: 'press' | 'drag' | 'release' | 'wheel-up' | 'wheel-down';
	/** 1-based terminal column and row. */
	x: number;
	y: number;
}

// eslint-disable-next-line no-control-regex
const report = /\u001B\[<(\d+);(\d+);(\d+)([Mm])/g;
// The start of a report cut at the end of a read: kept for the next one.
// eslint-disable-next-line no-control-regex
const cutReport = /\u001B\[<[\d;]*$/;
// ESC or ESC [ at the end of a read may be the start of a report too, or the Escape key: while
// the mouse is tracked they wait for the rest (escapeWaitMs at most), then go on as keys.
// eslint-disable-next-line no-control-regex
const maybeReport = /\u001B\[?$/;
const escapeWaitMs = 15;

function toEvent(button: number, x: number, y: number, final: string): MouseEvent | undefined {
	// 128 and up: extra buttons (back, forward); 66/67: the horizontal wheel.
	if (button & 128) return undefined;
	if (button & 64) return (button & 3) === 0 ? {kind: 'wheel-up', x, y} : (button & 3) === 1 ? {kind: 'wheel-down', x, y} : undefined;
	// Only the left button selects; 32 marks motion (reported with a button held: mode 1002).
	if ((button & 3) !== 0) return undefined;
	if (final === 'm') return {kind: 'release', x, y};
	return {kind: button & 32 ? 'drag' : 'press', x, y};
}

/** Splits terminal input into mouse events and everything else (keys, pastes), in order. */
export function extractMouse(text: string): {keys: string; events: MouseEvent[]; cut: string} {
	const events: MouseEvent[] = [];
	let keys = text.replace(report, (_all, button: string, x: string, y: string, final: string) => {
		const event = toEvent(Number(button), Number(x), Number(y), final);
		if (event) events.push(event);
		return '';
	});
	const cut = cutReport.exec(keys)?.[0] ?? '';
	if (cut) keys = keys.slice(0, -cut.length);
	return {keys, events, cut};
}

/** Press-and-drag reports (1002) in SGR encoding (1006); off again with `l`. */
export const mouseTracking = (on: boolean) => (on ? '\u001B[?1002h\u001B[?1006h' : '\u001B[?1006l\u001B[?1002l');

export interface MouseInput {
	/** What Ink reads: the terminal's input without mouse reports. */
	stdin: NodeJS.ReadStream;
	/** Adds a listener; returns its removal. */
	onMouse(listener: (event: MouseEvent) => void): () => void;
	/** Asks the terminal for mouse reports (on) or gives the mouse back to it (off). */
	track(on: boolean): void;
	dispose(): void;
}

/**
 * A stand-in for `stdin` that Ink can use (raw mode, ref/unref are passed on to the terminal's
 * stdin) carrying everything but mouse reports.
 */
export function filterMouse(real: NodeJS.ReadStream, out: NodeJS.WriteStream): MouseInput {
	const filtered = new PassThrough({encoding: 'utf8'}) as unknown as NodeJS.ReadStream & PassThrough;
	const listeners = new Set<(event: MouseEvent) => void>();
	let tracking = false;
	const track = (on: boolean) => {
		if (on === tracking) return;
		tracking = on;
		out.write(mouseTracking(on));
	};
	Object.assign(filtered, {
		isTTY: real.isTTY,
		setRawMode(mode: boolean) {
			real.setRawMode?.(mode);
			return filtered;
		},
		ref() {
			real.ref();
			return filtered;
		},
		unref() {
			real.unref();
			return filtered;
		},
	});
	// Bytes in, characters out: a character split across two reads stays whole (Ink's
	// setEncoding reaches this stand-in, not the terminal's stdin).
	const decoder = new StringDecoder('utf8');
	let held = '';
	let heldTimer: NodeJS.Timeout | undefined;
	const flushHeld = () => {
		heldTimer = undefined;
		const keys = held;
		held = '';
		if (keys) filtered.write(keys);
	};
	const onData = (data: Buffer | string) => {
		if (heldTimer) clearTimeout(heldTimer);
		heldTimer = undefined;
		const text = typeof data === 'string' ? data : decoder.write(data);
		const {events, cut, keys: rest} = extractMouse(held + text);
		let keys = rest;
		// A cut report waits for its rest, however long that takes (it is never a key).
		held = cut;
		// ESC / ESC [ ending this read may be a report's start: it waits a moment, then goes on as a
		// key. Only when this read brought it: an Escape held from before goes on now, or a drag
		// (reports every few ms) would keep it waiting.
		const start = !held && tracking ? maybeReport.exec(keys)?.[0] : undefined;
		if (start && text.endsWith(start)) {
			held = start;
			keys = keys.slice(0, -start.length);
			heldTimer = setTimeout(flushHeld, escapeWaitMs).unref();
		}
		if (keys) filtered.write(keys);
		for (const event of events) for (const listener of listeners) listener(event);
	};
	real.on('data', onData);
	return {
		stdin: filtered,
		onMouse(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		track,
		dispose() {
			if (heldTimer) clearTimeout(heldTimer);
			track(false);
			real.off('data', onData);
			real.pause();
			filtered.end();
		},
	};
}
