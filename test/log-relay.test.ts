import {spawn} from 'node:child_process';
import {existsSync, mkdirSync, readFileSync, rmSync, statSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {relayProgram} from '../source/core/logs/relay.js';
import {onCleanup, runCleanups, tempDir, waitFor} from './helpers/env.js';

// The dashboard's log relay (a `node -e` program) keeps CappedLog's rules on errors: no half
// chunk after a failed write, and a failed rotation does not end logging.

afterEach(() => runCleanups());

/** The relay, started like startLogRelay starts it, under a shell that may set limits first. */
function relay(file: string, cap: number, limits = '') {
	const child = spawn('sh', ['-c', `${limits} exec "$0" -e "$1"`, process.execPath, relayProgram], {
		stdio: ['pipe', 'ignore', 'ignore'],
		env: {...process.env, PORT_RELAY_FILE: file, PORT_RELAY_CAP: String(cap)},
	});
	onCleanup(() => child.kill('SIGKILL'));
	return child;
}

const size = (file: string) => statSync(file, {throwIfNoEntry: false})?.size ?? -1;
const settle = () => new Promise(resolve => setTimeout(resolve, 200));

describe('log relay', () => {
	it('cuts a chunk that does not fit whole back to where it began (a file-size limit: a short write, then EFBIG)', async () => {
		const file = path.join(tempDir('port-relay-'), 'svc.log');
		// 2 blocks of 512 bytes (dash and bash in POSIX mode count -f in 512-byte blocks).
		const child = relay(file, 1_000_000, 'ulimit -f 2;');
		child.stdin!.write('a'.repeat(600));
		await waitFor(() => size(file) === 600, {what: 'the first chunk'});
		child.stdin!.write('b'.repeat(600));
		await settle();
		expect(readFileSync(file, 'utf8')).toBe('a'.repeat(600));
		// The relay lives on and writes what fits.
		child.stdin!.write('c'.repeat(100));
		await waitFor(() => size(file) === 700, {what: 'the next chunk'});
		expect(readFileSync(file, 'utf8')).toBe(`${'a'.repeat(600)}${'c'.repeat(100)}`);
	});

	it('keeps logging after a failed rotation (rename refused): it retries on the next chunk', async () => {
		const dir = tempDir('port-relay-');
		const file = path.join(dir, 'svc.log');
		// A non-empty directory where the old generation goes: the rename fails.
		mkdirSync(path.join(`${file}.1`, 'x'), {recursive: true});
		const child = relay(file, 100);
		child.stdin!.write('a'.repeat(150));
		await waitFor(() => size(file) === 150, {what: 'the first chunk'});
		await settle();
		rmSync(`${file}.1`, {recursive: true});
		child.stdin!.write('b'.repeat(10));
		// Appended to the over-cap file, which is rotated now.
		await waitFor(() => existsSync(`${file}.1`) && statSync(`${file}.1`).isFile(), {what: 'the rotation'});
		expect(readFileSync(`${file}.1`, 'utf8')).toBe(`${'a'.repeat(150)}${'b'.repeat(10)}`);
		child.stdin!.write('c'.repeat(10));
		await waitFor(() => size(file) === 10, {what: 'logging goes on'});
		expect(readFileSync(file, 'utf8')).toBe('c'.repeat(10));
	});

	it('writes no new file once its file was removed (the service ended)', async () => {
		const file = path.join(tempDir('port-relay-'), 'svc.log');
		const child = relay(file, 100);
		child.stdin!.write('a'.repeat(50));
		await waitFor(() => size(file) === 50, {what: 'the first chunk'});
		rmSync(file);
		child.stdin!.write('b'.repeat(100));
		await settle();
		child.stdin!.write('c'.repeat(10));
		await settle();
		expect(existsSync(file)).toBe(false);
		expect(existsSync(`${file}.1`)).toBe(false);
	});
});
