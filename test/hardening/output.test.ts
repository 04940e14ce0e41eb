// `port list` and `port --version` write with writeSync (no stdout stream at start-up): a reader
// that goes away early (`port list | head -1`) and a large listing into a slow pipe must both
// end cleanly.
import {spawn} from 'node:child_process';
import {afterEach, describe, expect, it} from 'vitest';
import {cliEnv} from '../helpers/cli.js';
import {cliPath, makeRepo, runCleanups, tempDir} from '../helpers/env.js';
import {liveEntry, scene, writeRegistry} from './cases.js';

afterEach(() => runCleanups());

function run(args: string[], cwd: string, portHome: string, onStdout: (child: ReturnType<typeof spawn>) => void) {
	return new Promise<{code: number | null; stderr: string}>(resolve => {
		const child = spawn(process.execPath, [cliPath, ...args], {cwd, env: cliEnv({portHome}), stdio: ['ignore', 'pipe', 'pipe']});
		let stderr = '';
		child.stderr!.on('data', d => (stderr += d));
		onStdout(child);
		// Both the exit and the end of our reading of stdout (a paused reader may lag behind 'close').
		const drained = new Promise(done => child.stdout!.once('close', done));
		child.once('close', code => void drained.then(() => resolve({code, stderr})));
	});
}

describe('plain output', () => {
	it('a reader that closes early (EPIPE) ends the listing quietly with exit 0', async () => {
		const s = scene();
		// Enough entries for a listing far larger than one pipe buffer (64 KiB).
		const entries = Array.from({length: 400}, (_, i) => liveEntryLike(s, i));
		writeRegistry(s, JSON.stringify({version: 1, projects: [], hostServices: entries, reservations: []}));
		const result = await run(['list', '--json'], s.repo, s.portHome, child => child.stdout!.once('data', () => child.stdout!.destroy()));
		expect(result.code).toBe(0);
		expect(result.stderr).toBe('');
	});

	it('a slow reader still gets the whole listing', async () => {
		const s = scene();
		const entries = Array.from({length: 400}, (_, i) => liveEntryLike(s, i));
		writeRegistry(s, JSON.stringify({version: 1, projects: [], hostServices: entries, reservations: []}));
		let text = '';
		const result = await run(['list', '--json'], s.repo, s.portHome, child => {
			child.stdout!.pause();
			setTimeout(() => child.stdout!.on('data', d => (text += d)).resume(), 300);
		});
		expect(result.code, result.stderr).toBe(0);
		expect((JSON.parse(text) as {hostServices: unknown[]}).hostServices).toHaveLength(400);
	});

	it('--version', async () => {
		let text = '';
		const result = await run(['--version'], makeRepo(), tempDir(), child => child.stdout!.on('data', d => (text += d)));
		expect(result.code).toBe(0);
		expect(text).toMatch(/^\d+\.\d+\.\d+\n$/);
	});
});

/** One live process registered many times (distinct ids and ports) makes a long, all-alive listing. */
const shared = new WeakMap<object, ReturnType<typeof liveEntry>>();
function liveEntryLike(s: ReturnType<typeof scene>, index: number) {
	const live = shared.get(s) ?? liveEntry(s);
	shared.set(s, live);
	return {...live, id: `${live.id}-${index}`, repo: s.repo, logicalPort: 3000 + index, actualPort: 50_000 + index, routeName: `r${index}`, configFile: `${s.portHome}/traefik/dynamic/r${index}.yml`};
}
