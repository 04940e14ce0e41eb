// The default clipboard: OSC 52 for the terminal, and the platform command (a fake xclip /
// wl-copy on PATH that writes what it gets to a file).
import {chmodSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {clipboardCommand, defaultCopyText, osc52, plainText} from '../../source/core/dashboard/clipboard.js';
import {runCleanups, tempDir} from '../helpers/env.js';

const saved = {PATH: process.env['PATH'], WAYLAND_DISPLAY: process.env['WAYLAND_DISPLAY']};
afterEach(async () => {
	process.env['PATH'] = saved.PATH;
	if (saved.WAYLAND_DISPLAY === undefined) delete process.env['WAYLAND_DISPLAY'];
	else process.env['WAYLAND_DISPLAY'] = saved.WAYLAND_DISPLAY;
	await runCleanups();
});

/** A directory with fake clipboard programs that append their stdin (and args) to `out`. */
function fakeClipboards(names: string[]) {
	const bin = tempDir('port-clip-bin-');
	const out = path.join(bin, 'clipboard.txt');
	for (const name of names) {
		const file = path.join(bin, name);
		writeFileSync(file, `#!/bin/sh\necho "${name} $*" >> '${out}'\ncat >> '${out}'\n`);
		chmodSync(file, 0o755);
	}
	return {bin, read: () => readFileSync(out, 'utf8')};
}

describe.runIf(process.platform !== 'darwin')('clipboard', () => {
	it('OSC 52 carries the text base64-encoded', () => {
		expect(osc52('héllo')).toBe(`\u001B]52;c;${Buffer.from('héllo').toString('base64')}\u0007`);
		expect(plainText('\u001B[31mred\u001B[0m \u001B[1;4mbold\u001B[m')).toBe('red bold');
	});

	it('pipes the text to xclip -selection clipboard when installed, wl-copy under Wayland', async () => {
		const fake = fakeClipboards(['xclip', 'wl-copy']);
		process.env['PATH'] = `${fake.bin}${path.delimiter}/usr/bin:/bin`;
		delete process.env['WAYLAND_DISPLAY'];
		expect(clipboardCommand()).toEqual(['xclip', '-selection', 'clipboard']);
		expect(await defaultCopyText('line one\nline two')).toBe('xclip');
		expect(fake.read()).toBe('xclip -selection clipboard\nline one\nline two');
		process.env['WAYLAND_DISPLAY'] = 'wayland-0';
		expect(clipboardCommand()).toEqual(['wl-copy']);
	});

	it('without a terminal or a clipboard command: a clear error', async () => {
		process.env['PATH'] = tempDir('port-clip-empty-');
		expect(clipboardCommand()).toBeUndefined();
		await expect(defaultCopyText('x')).rejects.toThrow('no terminal to send OSC 52 to and no pbcopy, wl-copy or xclip');
	});
});
