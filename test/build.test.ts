import {execFileSync} from 'node:child_process';
import {cpSync, mkdirSync, symlinkSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {repoDir, runCleanups, tempDir} from './helpers/env.js';

afterEach(() => runCleanups());

describe('scripts/build.mjs', () => {
	it('builds a checkout whose path contains a space', () => {
		const root = path.join(tempDir('port-build-'), 'my checkout');
		mkdirSync(root);
		// The working tree's sources (not a git clone: uncommitted changes are what is tested).
		for (const entry of ['package.json', 'scripts', 'source']) cpSync(path.join(repoDir, entry), path.join(root, entry), {recursive: true});
		symlinkSync(path.join(repoDir, 'node_modules'), path.join(root, 'node_modules'));
		execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], {cwd: root, stdio: ['ignore', 'pipe', 'pipe']});
		const version = execFileSync(process.execPath, [path.join(root, 'dist', 'cli.js'), '--version'], {encoding: 'utf8'});
		expect(version.trim()).toMatch(/^\d+\.\d+\.\d+/);
	}, 60_000);
});
