import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {launchHostService} from '../source/core/supervise/launch.js';
import {detectProject} from '../source/core/git/project.js';
import {fakeDocker, makeRepo, pathWith, runCleanups, tempDir, waitFor} from './helpers/env.js';

// detach() (the dashboard's "leave running") must drop only our own 'exit' listener on the
// child: removing execa's too left execa's result pending forever once the child ended.
beforeEach(() => {
	process.env['PORT_HOME'] = tempDir('port-detach-');
	process.env['PATH'] = pathWith(fakeDocker().bin);
});
afterEach(() => runCleanups());

describe('SupervisedService.detach', () => {
	it('keeps execa watching the child: its result settles when the child ends later', async () => {
		const repo = makeRepo();
		const {service, supervised} = await launchHostService({
			project: detectProject(repo)!,
			logicalPort: 3917,
			command: ['sleep', '60'],
			cwd: repo,
			owner: 'ui',
			output: 'file',
		});
		const child = (supervised as unknown as {child: Promise<{signal?: string}>}).child;
		let settled: {signal?: string} | undefined;
		void child.then(result => (settled = result));
		supervised.detach();
		process.kill(-service.pid, 'SIGKILL');
		const result = await waitFor(() => settled, {what: "execa's result", timeout: 5000});
		expect(result.signal).toBe('SIGKILL');
	});
});
