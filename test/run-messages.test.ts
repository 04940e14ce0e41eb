import {afterEach, describe, expect, it} from 'vitest';
import {groupAlive} from '../source/core/supervise/process-info.js';
import {finished, port, readRegistryFile, routeFiles, startPort, type CliEnv} from './helpers/cli.js';
import {addWorktree, fakeDocker, makeRepo, runCleanups, tempDir, waitFor} from './helpers/env.js';

// `port run` says when and why its service stops, and that a second Ctrl+C forces it.

afterEach(() => runCleanups());

const logical = 3917;

function setup(extra: Record<string, string> = {}) {
	const portHome = tempDir('port-home-');
	const env: CliEnv = {portHome, dockerBin: fakeDocker().bin, extra};
	const tree = addWorktree(makeRepo('app'), 'feature-1');
	return {env, tree, portHome};
}

describe('port run: one line when the service stops', () => {
	it.each([
		['exit 3', 3, 'exited with code 3'],
		['exit 0', 0, 'exited with code 0'],
		['kill -USR1 $$', 138, 'killed by SIGUSR1'],
	])('command `%s` -> exit %i and "stopped: %s"', async (script, code, why) => {
		const {env, tree} = setup();
		const result = await port(['run', String(logical), '--', 'sh', '-c', script], tree, env);
		expect(result.code).toBe(code);
		const lines = result.stderr.trim().split('\n');
		expect(lines.at(-1)).toBe(`port: feature-1:${logical} stopped: ${why}`);
	});

	it('Ctrl+C says it is stopping (and how to force), not that the command stopped on its own', async () => {
		const {env, tree} = setup();
		const run = startPort(['run', String(logical), '--', 'sh', '-c', 'echo ready; sleep 30 & wait'], tree, env);
		await waitFor(() => run.output.stdout.includes('ready'), {what: 'ready'});
		run.kill('SIGINT');
		const result = await finished(run);
		expect(result.code).toBe(130);
		expect(result.stderr).toContain(`port: stopping feature-1:${logical} (Ctrl+C again to force)\n`);
		expect(result.stderr).not.toContain('stopped:');
	});

	it('a second Ctrl+C SIGKILLs a command that ignores SIGTERM at once and exits', async () => {
		// A grace period far longer than the test allows: only the forced kill can end it in time.
		const {env, tree, portHome} = setup({PORT_STOP_TIMEOUT: '30000'});
		const run = startPort(['run', String(logical), '--', 'sh', '-c', 'trap "" TERM; echo ready; sleep 60 & wait'], tree, env);
		await waitFor(() => run.output.stdout.includes('ready'), {what: 'ready'});
		const service = readRegistryFile(portHome).hostServices[0]!;
		run.kill('SIGINT');
		await waitFor(() => run.output.stderr.includes('Ctrl+C again to force'), {what: 'stopping line'});
		const forced = Date.now();
		run.kill('SIGINT');
		const result = await finished(run);
		expect(result.code).toBe(130);
		expect(Date.now() - forced).toBeLessThan(5000);
		expect(groupAlive(service.pid)).toBe(false);
		expect(readRegistryFile(portHome).hostServices).toEqual([]);
		expect(routeFiles(portHome)).toEqual([]);
	});
});
