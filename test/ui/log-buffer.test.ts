import {describe, expect, it} from 'vitest';
import {LogBuffer, cleanLine, stripAnsi} from '../../source/core/logs/buffer.js';
import {logWindow} from '../../source/core/dashboard/store.js';

describe('LogBuffer', () => {
	it('keeps complete lines and waits for the newline of a partial one', () => {
		const buffer = new LogBuffer(10);
		buffer.append('one\ntw');
		expect(buffer.slice(0, 10)).toEqual(['one']);
		expect(buffer.pending).toBe('tw');
		buffer.append('o\nthree\n');
		expect(buffer.slice(0, 10)).toEqual(['one', 'two', 'three']);
		expect(buffer.pending).toBe('');
		expect(buffer.total).toBe(3);
	});

	it('is bounded: only the newest `capacity` lines stay', () => {
		const buffer = new LogBuffer(5);
		for (let i = 0; i < 12; i++) buffer.append(`line ${i}\n`);
		expect(buffer.size).toBe(5);
		expect(buffer.slice(0, 5)).toEqual(['line 7', 'line 8', 'line 9', 'line 10', 'line 11']);
		expect(buffer.total).toBe(12);
		buffer.append(Array.from({length: 20}, (_, i) => `bulk ${i}`).join('\n') + '\n');
		expect(buffer.slice(0, 5)).toEqual(['bulk 15', 'bulk 16', 'bulk 17', 'bulk 18', 'bulk 19']);
		expect(buffer.total).toBe(32);
	});

	it('keeps colours, drops cursor movement, clears and other control bytes', () => {
		const buffer = new LogBuffer(10);
		buffer.append('\u001B[31mred\u001B[0m \u001B[2J\u001B[Hx\u0007\ttab\n');
		expect(buffer.line(0)).toBe('\u001B[31mred\u001B[0m x    tab');
		buffer.append('progress 10%\rprogress 100%\n');
		expect(buffer.line(1)).toBe('progress 100%');
	});

	it('truncates a 100 KB line for display without choking', () => {
		const buffer = new LogBuffer(10, 2000);
		const started = performance.now();
		buffer.append('x'.repeat(50_000));
		buffer.append('y'.repeat(50_000) + '\nnext\n');
		expect(performance.now() - started).toBeLessThan(200);
		expect(buffer.size).toBe(2);
		expect(stripAnsi(buffer.line(0))).toMatch(/^x{2000}… \[line truncated\]$/);
		expect(buffer.line(1)).toBe('next');
		// Never half an escape sequence at the cut.
		expect(cleanLine('a'.repeat(1998) + '\u001B[31mred', 2000)).not.toContain('\u001B[3…');
	});

	it('takes a 1,000,000-line flood in bounded memory and time', () => {
		const buffer = new LogBuffer(5000);
		const chunk = Array.from({length: 10_000}, (_, i) => `\u001B[32mINFO\u001B[0m request ${i} served in 3 ms`).join('\n') + '\n';
		const started = performance.now();
		for (let i = 0; i < 100; i++) buffer.append(chunk);
		const elapsed = performance.now() - started;
		expect(buffer.total).toBe(1_000_000);
		expect(buffer.size).toBe(5000);
		expect(elapsed).toBeLessThan(3000);
	});

	it('searches without colours, case-insensitively, wrapping around', () => {
		const buffer = new LogBuffer(10);
		buffer.append('alpha\n\u001B[1mBeta\u001B[0m one\ngamma\nbeta two\n');
		expect(buffer.search('beta', buffer.size, -1)).toBe(3);
		expect(buffer.search('beta', 3, -1)).toBe(1);
		expect(buffer.search('beta', 1, -1)).toBe(3);
		expect(buffer.search('beta', 1, 1)).toBe(3);
		expect(buffer.search('nothing', 0, 1)).toBeUndefined();
		expect(buffer.countMatches('BETA')).toBe(2);
	});
});

describe('logWindow', () => {
	it('a scroll position older than the ring shows its oldest lines', () => {
		const buffer = new LogBuffer(5);
		buffer.append(Array.from({length: 12}, (_, i) => `l${i}\n`).join(''));
		// Lines 0-6 were dropped; top 2 now points before the oldest kept line (7).
		expect(logWindow(buffer, {follow: false, top: 2, match: undefined}, 3)).toEqual({lines: ['l7', 'l8', 'l9'], first: 7, atBottom: false});
		expect(logWindow(buffer, {follow: false, top: 100, match: undefined}, 3)).toEqual({lines: ['l9', 'l10', 'l11'], first: 9, atBottom: true});
	});

	it('appendClean stores lines as given (already clean), counts them and keeps the ring bounded', () => {
		const buffer = new LogBuffer(3);
		buffer.append('half');
		buffer.appendClean(['\u001B[32ma\u001B[0m', 'b', 'c', 'd']);
		expect(buffer.total).toBe(4);
		expect(buffer.slice(0, 3)).toEqual(['b', 'c', 'd']);
		// The other buffer's unterminated line is left alone.
		expect(buffer.pending).toBe('half');
	});
});
