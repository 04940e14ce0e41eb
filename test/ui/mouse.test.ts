import {PassThrough} from 'node:stream';
import {describe, expect, it} from 'vitest';
import {extractMouse, filterMouse, mouseTracking, type MouseEvent} from '../../source/ui/mouse.js';
import {mouseToAction, wheelLines, type LogArea} from '../../source/ui/mouse-map.js';

describe('mouse reports (SGR 1006)', () => {
	it('takes press, drag, release and wheel reports out of the input and keeps the keys around them in order', () => {
		const {keys, events, cut} = extractMouse('a\u001B[<0;5;7Mb\u001B[<32;6;9M\u001B[<0;6;9m\u001B[<64;1;1M\u001B[<65;1;1Mc\u001B[A');
		expect(keys).toBe('abc\u001B[A');
		expect(cut).toBe('');
		expect(events).toEqual([
			{kind: 'press', x: 5, y: 7},
			{kind: 'drag', x: 6, y: 9},
			{kind: 'release', x: 6, y: 9},
			{kind: 'wheel-up', x: 1, y: 1},
			{kind: 'wheel-down', x: 1, y: 1},
		]);
	});

	it('ignores the middle and right buttons, extra buttons and the horizontal wheel; keeps a report cut at the end of a read, not a lone Escape', () => {
		expect(extractMouse('\u001B[<1;5;7M\u001B[<2;5;7M\u001B[<128;5;7M\u001B[<129;5;7M\u001B[<66;5;7M\u001B[<67;5;7M').events).toEqual([]);
		expect(extractMouse('x\u001B[<0;12').cut).toBe('\u001B[<0;12');
		expect(extractMouse('x\u001B[<0;12').keys).toBe('x');
		expect(extractMouse('\u001B')).toEqual({keys: '\u001B', events: [], cut: ''});
	});

	it('filterMouse: Ink reads the keys, listeners get the events (a report split over two reads too), tracking is switched once', async () => {
		const real = Object.assign(new PassThrough(), {isTTY: true, raw: [] as boolean[], setRawMode(mode: boolean) {
			real.raw.push(mode);
			return real;
		}}) as unknown as NodeJS.ReadStream & {raw: boolean[]};
		const written: string[] = [];
		const out = {write: (text: string) => written.push(text)} as unknown as NodeJS.WriteStream;
		const input = filterMouse(real, out);
		const events: MouseEvent[] = [];
		const off = input.onMouse(event => events.push(event));
		input.stdin.setRawMode(true);
		expect(real.raw).toEqual([true]);
		expect(input.stdin.isTTY).toBe(true);
		real.write('j\u001B[<0;3;');
		real.write('4Mk');
		await new Promise(resolve => setImmediate(resolve));
		expect(input.stdin.read()).toBe('jk');
		expect(events).toEqual([{kind: 'press', x: 3, y: 4}]);
		input.track(true);
		input.track(true);
		input.track(false);
		expect(written).toEqual([mouseTracking(true), mouseTracking(false)]);
		off();
		real.write('\u001B[<0;1;1M');
		await new Promise(resolve => setImmediate(resolve));
		expect(events).toHaveLength(1);
		input.track(true);
		input.dispose();
		// Disposing gives the mouse back to the terminal.
		expect(written.at(-1)).toBe(mouseTracking(false));
	});
});

describe('filterMouse: what Ink reads', () => {
	function fakeTerminal() {
		const real = Object.assign(new PassThrough(), {isTTY: true, setRawMode: () => real}) as unknown as NodeJS.ReadStream;
		const out = {write: () => true} as unknown as NodeJS.WriteStream;
		const input = filterMouse(real, out);
		const events: MouseEvent[] = [];
		input.onMouse(event => events.push(event));
		const keys: string[] = [];
		input.stdin.on('data', chunk => keys.push(String(chunk)));
		const settle = (ms = 0) => new Promise(resolve => setTimeout(resolve, ms));
		return {real, input, events, keys, settle};
	}

	it('a character split across two reads arrives whole (bytes from the terminal, not characters)', async () => {
		const {real, input, keys, settle} = fakeTerminal();
		const bytes = Buffer.from('é✓', 'utf8');
		real.write(bytes.subarray(0, 1));
		real.write(bytes.subarray(1, 4));
		real.write(bytes.subarray(4));
		await settle(5);
		expect(keys.join('')).toBe('é✓');
		input.dispose();
	});

	it('while the mouse is tracked, a report cut right after its ESC is still a report; a lone Escape goes on after a moment', async () => {
		const {real, input, events, keys, settle} = fakeTerminal();
		input.track(true);
		real.write('\u001B');
		real.write('[<0;5;5M');
		real.write('\u001B[');
		real.write('<0;6;6m');
		await settle(5);
		expect(keys.join('')).toBe('');
		expect(events).toEqual([{kind: 'press', x: 5, y: 5}, {kind: 'release', x: 6, y: 6}]);
		real.write('\u001B');
		await settle(5);
		expect(keys.join('')).toBe('');
		await settle(40);
		expect(keys.join('')).toBe('\u001B');
		// An Escape pressed during a drag goes on with the next report, not after the drag.
		real.write('\u001B');
		real.write('\u001B[<32;7;7M');
		await settle(1);
		expect(keys.join('')).toBe('\u001B\u001B');
		// A report cut inside waits for its rest, even past the Escape's moment.
		real.write('\u001B[<32;8');
		await settle(40);
		expect(keys.join('')).toBe('\u001B\u001B');
		real.write(';8M');
		await settle(1);
		expect(events.at(-1)).toEqual({kind: 'drag', x: 8, y: 8});
		keys.length = 0;
		keys.push('\u001B');
		// Not tracking: Escape is passed on at once.
		input.track(false);
		real.write('\u001B');
		await settle(1);
		expect(keys.join('')).toBe('\u001B\u001B');
		input.dispose();
	});
});

describe('mouse in copy mode', () => {
	const area: LogArea = {top: 10, left: 1, rows: 5, first: 100, count: 5};

	it('press selects the line under the pointer; drag extends from it, clamped to the lines shown; release ends the drag', () => {
		const pressed: {line?: number} = {};
		expect(mouseToAction({kind: 'press', x: 4, y: 11}, area, pressed)).toEqual({type: 'copySelect', from: 101, to: 101});
		expect(mouseToAction({kind: 'drag', x: 4, y: 13}, area, pressed)).toEqual({type: 'copySelect', from: 101, to: 103});
		expect(mouseToAction({kind: 'drag', x: 4, y: 40}, area, pressed)).toEqual({type: 'copySelect', from: 101, to: 104});
		expect(mouseToAction({kind: 'drag', x: 4, y: 2}, area, pressed)).toEqual({type: 'copySelect', from: 101, to: 100});
		expect(mouseToAction({kind: 'release', x: 4, y: 2}, area, pressed)).toBeUndefined();
		expect(mouseToAction({kind: 'drag', x: 4, y: 12}, area, pressed)).toBeUndefined();
	});

	it('a press outside the lines shown (list, title, below the last line, left of a side-by-side pane) selects nothing', () => {
		const pressed: {line?: number} = {};
		expect(mouseToAction({kind: 'press', x: 4, y: 9}, area, pressed)).toBeUndefined();
		expect(mouseToAction({kind: 'press', x: 4, y: 15}, {...area, count: 5}, pressed)).toBeUndefined();
		expect(mouseToAction({kind: 'press', x: 4, y: 12}, {...area, count: 2}, pressed)).toBeUndefined();
		expect(mouseToAction({kind: 'press', x: 40, y: 11}, {...area, left: 41}, pressed)).toBeUndefined();
		expect(pressed.line).toBeUndefined();
		// A release the terminal never sent (button let go outside the window): the next press starts afresh.
		mouseToAction({kind: 'press', x: 4, y: 11}, area, pressed);
		expect(mouseToAction({kind: 'press', x: 4, y: 9}, area, pressed)).toBeUndefined();
		expect(mouseToAction({kind: 'drag', x: 4, y: 12}, area, pressed)).toBeUndefined();
	});

	it('the wheel scrolls by a few lines', () => {
		expect(mouseToAction({kind: 'wheel-up', x: 1, y: 1}, area, {})).toEqual({type: 'copyScroll', delta: -wheelLines});
		expect(mouseToAction({kind: 'wheel-down', x: 1, y: 1}, area, {})).toEqual({type: 'copyScroll', delta: wheelLines});
	});
});
