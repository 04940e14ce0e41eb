import {spawn} from 'node:child_process';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {isProcessAlive, readRegistryFile, routeFiles} from './helpers/cli.js';
import {cliPath, fakeDocker, makeRepo, onCleanup, runCleanups, tempDir, waitFor} from './helpers/env.js';

afterEach(() => runCleanups());

describe('port run when its terminal hangs up', () => {
	it('stops the command and cleans up, without an abort from Node', async () => {
		const portHome = tempDir('port-home-');
		const repo = makeRepo();
		const log = path.join(tempDir(), 'stderr.log');
		// `script` gives port run a real terminal; SIGKILL of `script` closes it (a hang-up). The
		// command prints to that terminal as it stops, which then fails with EIO.
		const inner = `${process.execPath} ${cliPath} run 3000 -- sh -c 'trap "echo stopping; exit 0" TERM; while true; do echo tick; sleep 0.1; done' 2>${log}`;
		const term = spawn('script', ['-qfec', inner, '/dev/null'], {
			cwd: repo,
			env: {...process.env, PATH: `${fakeDocker().bin}:${process.env['PATH']}`, PORT_HOME: portHome, PORT_STOP_TIMEOUT: '2000'},
			stdio: ['pipe', 'pipe', 'pipe'],
		});
		onCleanup(() => term.kill('SIGKILL'));
		term.stdout.resume();
		const service = await waitFor(() => readRegistryFile(portHome).hostServices[0], {what: 'registered'});
		await waitFor(() => readFileSync(log, 'utf8').includes('port: app:3000'), {what: 'started'});
		term.kill('SIGKILL');
		await waitFor(() => readRegistryFile(portHome).hostServices.length === 0, {what: 'cleaned up'});
		expect(routeFiles(portHome)).toEqual([]);
		await waitFor(() => !isProcessAlive(service.pid) && !isProcessAlive(service.supervisorPid), {what: 'processes gone'});
		const errors = readFileSync(log, 'utf8');
		expect(errors).not.toContain('Assertion failed');
		expect(errors).not.toMatch(/\n\s+at /);
	});
});
