import {existsSync, statSync} from 'node:fs';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {launchHostService} from '../../source/core/host-service.js';
import {detectProject} from '../../source/core/project.js';
import {fakeDocker, makeRepo, pathWith, runCleanups, tempDir, waitFor} from '../helpers/env.js';

// Dashboard-owned services write straight into their log file (output: 'file'); the supervisor
// caps it by copy + truncate, off the event loop.
beforeEach(() => {
	process.env['PORT_HOME'] = tempDir('port-ui-cap-');
	process.env['PATH'] = pathWith(fakeDocker().bin);
	process.env['PORT_LOG_MAX_BYTES'] = '20000';
});
afterEach(async () => {
	delete process.env['PORT_LOG_MAX_BYTES'];
	await runCleanups();
});

describe('file-mode log cap', () => {
	it('keeps one generation under the cap while the child floods, and removes both at the end', async () => {
		const repo = makeRepo();
		const {service, supervised} = await launchHostService({
			project: detectProject(repo)!,
			logicalPort: 3000,
			command: ['sh', '-c', 'i=0; while [ $i -lt 4000 ]; do echo "line $i of the flood.........................."; i=$((i+1)); done; sleep 60'],
			cwd: repo,
			owner: 'ui',
			output: 'file',
		});
		try {
			await waitFor(() => existsSync(`${service.logFile}.1`) && statSync(service.logFile).size < 20_000 + 60_000, {timeout: 8000, what: 'rotated copy'});
			expect(statSync(`${service.logFile}.1`).size).toBeGreaterThan(20_000);
		} finally {
			await supervised.stop(500);
		}
		expect(existsSync(service.logFile)).toBe(false);
		expect(existsSync(`${service.logFile}.1`)).toBe(false);
	});
});
