// What `port --version` and `port list --json` load (readme.md, "What start-up costs"): every
// module and every Node built-in imported as ESM costs start-up time against the budgets in
// bench/startup.mjs. Checked through the built CLI with a preload that lists, at exit, the
// built-ins Node loaded after start (no timing here: the benchmark measures time).
import {spawnSync} from 'node:child_process';
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {port} from '../helpers/cli.js';
import {cliPath, makeRepo, runCleanups, tempDir} from '../helpers/env.js';

afterEach(() => runCleanups());

function loadedBuiltins(args: string[], cwd: string, portHome: string): {stdout: string; builtins: string[]} {
	const dir = tempDir();
	const preload = path.join(dir, 'list-builtins.cjs');
	const out = path.join(dir, 'builtins.txt');
	writeFileSync(preload, `const before = new Set(process.moduleLoadList);
process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, process.moduleLoadList.filter(m => !before.has(m)).join('\\n')));\n`);
	const result = spawnSync(process.execPath, ['-r', preload, cliPath, ...args], {cwd, env: {...process.env, PORT_HOME: portHome}, encoding: 'utf8'});
	expect(result.status, result.stderr).toBe(0);
	return {stdout: result.stdout, builtins: readFileSync(out, 'utf8').split('\n').map(m => m.replace(/^(NativeModule|Internal Binding) /, ''))};
}

describe('start-up loads', () => {
	it('`port --version`: no stream stack (node:fs is not imported as ESM), no argument parser', () => {
		const {stdout, builtins} = loadedBuiltins(['--version'], tempDir(), tempDir());
		expect(stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
		expect(builtins).not.toContain('stream');
		expect(builtins).not.toContain('internal/util/parse_args/parse_args');
	});

	it('`port list --json`: no child_process or net (it spawns nothing and connects nowhere)', async () => {
		const repo = makeRepo();
		const portHome = tempDir();
		expect((await port(['init'], repo, {portHome})).code).toBe(0);
		const {stdout, builtins} = loadedBuiltins(['list', '--json'], repo, portHome);
		expect(JSON.parse(stdout)).toHaveProperty('worktrees');
		expect(builtins).not.toContain('child_process');
		expect(builtins).not.toContain('net');
	});
});
