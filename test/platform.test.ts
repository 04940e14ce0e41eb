import {spawnSync} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {cliPath, repoDir} from './helpers/env.js';


describe('platforms', () => {
	it('refuses to run on Windows with a one-line hint and exit code 1', () => {
		const fakeWindows = "data:text/javascript,Object.defineProperty(process,'platform',{value:'win32'})";
		for (const args of [['list'], ['--version']]) {
			const result = spawnSync(process.execPath, ['--import', fakeWindows, cliPath, ...args], {encoding: 'utf8', cwd: repoDir});
			expect(result.status, args.join(' ')).toBe(1);
			expect(result.stdout).toBe('');
			expect(result.stderr).toBe('port: Windows is not supported; use WSL2 (port runs there as on Linux).\n');
		}
	});

	it('package.json declares the supported operating systems', async () => {
		const pkg = (await import('../package.json', {with: {type: 'json'}})).default as {os?: string[]};
		expect(pkg.os).toEqual(['linux', 'darwin']);
	});
});
