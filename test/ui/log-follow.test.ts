import {appendFileSync, copyFileSync, renameSync, truncateSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {followCommand, followFile} from '../../source/core/logs/follow.js';
import {runCleanups, tempDir, waitFor} from '../helpers/env.js';

afterEach(runCleanups);

function collect() {
	const state = {text: ''};
	return {state, onText: (t: string) => void (state.text += t)};
}

describe('followFile', () => {
	it('waits for the file, then follows appends, rotation and truncation', async () => {
		const file = path.join(tempDir(), 'svc.log');
		const {state, onText} = collect();
		const follower = followFile(file, onText, {interval: 20});
		try {
			writeFileSync(file, 'first\n');
			await waitFor(() => state.text.includes('first\n'), {what: 'first line'});
			appendFileSync(file, 'second\n');
			await waitFor(() => state.text.includes('second\n'), {what: 'appended line'});
			// Rotation: the old file is renamed, a new one starts.
			appendFileSync(file, 'last of old\n');
			renameSync(file, `${file}.1`);
			writeFileSync(file, 'new file\n');
			await waitFor(() => state.text.includes('new file\n'), {what: 'rotated file'});
			expect(state.text).toContain('last of old\n');
			// Truncation in place.
			truncateSync(file, 0);
			await new Promise(resolve => setTimeout(resolve, 60));
			appendFileSync(file, 'after truncate\n');
			await waitFor(() => state.text.includes('after truncate\n'), {what: 'after truncation'});
			expect(state.text).toBe('first\nsecond\nlast of old\nnew file\nafter truncate\n');
		} finally {
			follower.stop();
		}
	});

	it('copy + truncate (the file-mode log cap): the unread tail is read from the copy', async () => {
		const file = path.join(tempDir(), 'svc.log');
		writeFileSync(file, 'one\ntwo\n');
		const {state, onText} = collect();
		const follower = followFile(file, onText, {interval: 150});
		try {
			await waitFor(() => state.text === 'one\ntwo\n', {what: 'first read'});
			// Between two polls: more output, then the cap copies and truncates.
			appendFileSync(file, 'unread tail\n');
			copyFileSync(file, `${file}.1`);
			truncateSync(file, 0);
			appendFileSync(file, 'new\n');
			await waitFor(() => state.text.includes('new\n'), {what: 'after truncation'});
			expect(state.text).toBe('one\ntwo\nunread tail\nnew\n');
		} finally {
			follower.stop();
		}
	});

	it('starts with the tail of a big file and skips a backlog it cannot show', async () => {
		const file = path.join(tempDir(), 'big.log');
		writeFileSync(file, Array.from({length: 100_000}, (_, i) => `line ${i}`).join('\n') + '\n');
		const {state, onText} = collect();
		const follower = followFile(file, onText, {interval: 20, initialBytes: 1000, maxBacklog: 50_000});
		try {
			await waitFor(() => state.text.includes('line 99999\n'), {what: 'tail'});
			expect(state.text.startsWith('line ')).toBe(true);
			expect(state.text.length).toBeLessThan(1100);
			appendFileSync(file, Array.from({length: 20_000}, (_, i) => `more ${i}`).join('\n') + '\n');
			await waitFor(() => state.text.includes('more 19999\n'), {what: 'flood end'});
			expect(state.text).toContain('[port: skipped');
			expect(state.text).not.toContain('more 100\n');
		} finally {
			follower.stop();
		}
	});
});

describe('followCommand', () => {
	it('streams a command and reports its end', async () => {
		const {state, onText} = collect();
		let ended: string | undefined | null = null;
		followCommand(process.execPath, ['-e', 'console.log("a"); setTimeout(() => { console.log("b"); process.exit(3) }, 50)'], onText, problem => (ended = problem));
		await waitFor(() => ended !== null, {what: 'end'});
		expect(state.text).toBe('a\nb\n');
		expect(ended).toBe('exit code 3');
	});
});
