import {spawn} from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, inject, it} from 'vitest';
import {finished, isProcessAlive, readRegistryFile, startPort} from './helpers/cli.js';
import {fakeDocker, makeRepo, pathWith, processesWithEnv, repoDir, runCleanups, tempDir, waitFor} from './helpers/env.js';

// The test harness itself: what keeps a run from leaving processes and temp dirs behind.
describe('test harness', () => {
	it('temp dirs and the docker-less tools directory live under this run’s temp root, not loose in /tmp', () => {
		const root = inject('portTestRoot');
		expect(path.basename(root)).toMatch(/^port-run-/);
		expect(os.tmpdir().startsWith(`${root}${path.sep}`)).toBe(true);
		expect(tempDir().startsWith(`${os.tmpdir()}${path.sep}`)).toBe(true);
		expect(pathWith()).toBe(path.join(root, 'tools'));
	});

	it('cleanup stops a port run the way a user would, so its service is not orphaned', async () => {
		const portHome = tempDir('port-home-');
		const repo = makeRepo('app');
		const run = startPort(['run', '3000', '--', process.execPath, path.join(repoDir, 'test', 'fixtures', 'server.cjs'), 'harness'], repo, {portHome, dockerBin: fakeDocker().bin});
		const service = await waitFor(() => readRegistryFile(portHome).hostServices[0], {what: 'service registered'});
		expect(isProcessAlive(service.pid)).toBe(true);
		await runCleanups();
		expect(run.exitCode ?? run.signalCode).not.toBeNull();
		await waitFor(() => !isProcessAlive(service.pid), {what: `service pid ${service.pid} gone`, timeout: 5000});
	});

	it('finds a child by the temp root in its environment, and only while it lives', async () => {
		const child = spawn('sleep', ['30'], {env: {...process.env}, stdio: 'ignore'});
		await waitFor(() => processesWithEnv(os.tmpdir()).includes(child.pid!), {what: 'the child found'});
		expect(processesWithEnv(`${os.tmpdir()}-not-this-one`)).not.toContain(child.pid);
		child.kill('SIGKILL');
		await finished(child);
		expect(processesWithEnv(os.tmpdir())).not.toContain(child.pid);
	});
});
