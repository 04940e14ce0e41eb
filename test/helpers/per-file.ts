import {mkdtempSync, readdirSync, rmSync} from 'node:fs';
import path from 'node:path';
import {afterAll, inject} from 'vitest';
import {describePids, processesWithEnv, runCleanups} from './env.js';

// Each test file gets its own temp root under the run's (TMPDIR, so os.tmpdir() and every child
// that inherits or is given TMPDIR use it); it marks the file's processes and goes at the end.
const runRoot = inject('portTestRoot');
const fileRoot = mkdtempSync(`${runRoot}${path.sep}`); // short: paths show in the dashboard's header
const previousTmp = process.env['TMPDIR'];
process.env['TMPDIR'] = fileRoot;
process.env['PORT_TEST_TOOLS'] = path.join(runRoot, 'tools');

// Registered first, so it runs after the test file's own afterAll hooks.
afterAll(async () => {
	await runCleanups();
	let survivors = processesWithEnv(fileRoot);
	for (let i = 0; i < 40 && survivors.length > 0; i++) {
		await new Promise(resolve => setTimeout(resolve, 50));
		survivors = processesWithEnv(fileRoot);
	}
	const listing = describePids(survivors);
	for (const pid of survivors) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {
			// gone
		}
	}
	const leftovers = readdirSync(fileRoot);
	rmSync(fileRoot, {recursive: true, force: true});
	if (previousTmp === undefined) delete process.env['TMPDIR'];
	else process.env['TMPDIR'] = previousTmp;
	if (survivors.length > 0) throw new Error(`processes of this test file outlived it (now killed):\n${listing}`);
	if (leftovers.length > 0) throw new Error(`temp dirs not removed by this test file: ${leftovers.join(', ')}`);
});
