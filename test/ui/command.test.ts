import {afterEach, describe, expect, it} from 'vitest';
import {port} from '../helpers/cli.js';
import {makeRepo, runCleanups, tempDir} from '../helpers/env.js';

afterEach(runCleanups);

describe('port ui (command)', () => {
	it('without a terminal exits 2 and points to port list / port status', async () => {
		const repo = makeRepo();
		const result = await port(['ui'], repo, {portHome: tempDir()});
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('port ui needs an interactive terminal');
		expect(result.stderr).toContain("'port list'");
		expect(result.stderr).toContain("'port status'");
		expect(result.stdout).toBe('');
	});

	it('has --help, rejects arguments, and is listed in port --help', async () => {
		const repo = makeRepo();
		const help = await port(['ui', '--help'], repo, {portHome: tempDir()});
		expect(help.code).toBe(0);
		expect(help.stdout).toContain('port ui');
		const extra = await port(['ui', 'nope'], repo, {portHome: tempDir()});
		expect(extra.code).toBe(2);
		const all = await port(['--help'], repo, {portHome: tempDir()});
		expect(all.stdout).toMatch(/ui\s+Terminal dashboard/);
	});
});
