import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {finished, port, readRegistryFile, startPort} from './helpers/cli.js';
import {addWorktree, fakeDocker, git, makeRepo, repoDir, runCleanups, tempDir, waitFor} from './helpers/env.js';

afterEach(() => runCleanups());
const server = path.join(repoDir, 'test', 'fixtures', 'server.cjs');
const env = () => ({portHome: tempDir('port-home-'), dockerBin: fakeDocker().bin});

describe('port init', () => {
	it('creates the commented config and trees dir, makes git ignore port files, and is idempotent', async () => {
		const repo = makeRepo();
		const e = env();
		const first = await port(['init'], repo, e);
		expect(first.code).toBe(0);
		const config = readFileSync(path.join(repo, '.port', 'config.jsonc'), 'utf8');
		expect(config).toContain('// Hostnames are');
		expect(config).toContain('"domain": "port"');
		expect(existsSync(path.join(repo, '.port', 'trees'))).toBe(true);
		writeFileSync(path.join(repo, '.port', 'config.jsonc'), '{ "domain": "localhost", /* mine */ }');
		const second = await port(['init'], repo, e);
		expect(second.code).toBe(0);
		expect(readFileSync(path.join(repo, '.port', 'config.jsonc'), 'utf8')).toContain('mine');
		const exclude = readFileSync(path.join(repo, '.git', 'info', 'exclude'), 'utf8');
		expect(exclude.match(/\/\.port\/trees\//g)).toHaveLength(1);
		// A worktree and an override file do not dirty the main checkout.
		addWorktree(repo, 'feature-1');
		writeFileSync(path.join(repo, '.port', 'override.yml'), 'services: {}\n');
		expect(git(repo, 'status', '--porcelain', '--untracked-files=all').split('\n').filter(l => l.includes('trees') || l.includes('override'))).toEqual([]);
	});

	it('outside a git repository: exit 3 with one line', async () => {
		const result = await port(['init'], tempDir(), env());
		expect(result.code).toBe(3);
		expect(result.stderr).toContain('Not inside a git repository.');
	});

	it('reports a broken config with file, line and exit 3', async () => {
		const repo = makeRepo();
		const e = env();
		await port(['init'], repo, e);
		writeFileSync(path.join(repo, '.port', 'config.jsonc'), '{\n  "domain": "Bad Domain"\n}');
		const result = await port(['run', '3000', '--', 'true'], repo, e);
		expect(result.code).toBe(3);
		expect(result.stderr).toContain('domain "Bad Domain" is invalid');
	});
});

describe('port list and port kill', () => {
	it('lists worktrees (current marked) and host services, current repository first; --json has registry fields', async () => {
		const repo = makeRepo('app');
		const other = makeRepo('other');
		const e = env();
		const tree = addWorktree(repo, 'feature-1');
		const a = startPort(['run', '3000', '--', 'node', server, 'list-a'], tree, e);
		const b = startPort(['run', '4000', '--', 'node', server, 'list-b'], other, e);
		await waitFor(() => readRegistryFile(e.portHome).hostServices.length === 2, {what: 'two services'});
		const text = await port(['list'], tree, e);
		expect(text.code).toBe(0);
		expect(text.stdout).toMatch(/\* feature-1\s+feature-1/);
		expect(text.stdout).toMatch(/ {3}app\s+main/);
		const lines = text.stdout.split('\n');
		const mine = lines.findIndex(l => l.includes('feature-1:3000 -> localhost:'));
		const theirs = lines.findIndex(l => l.includes('other:4000 -> localhost:'));
		expect(mine).toBeGreaterThan(-1);
		expect(theirs).toBeGreaterThan(mine);
		expect(lines[mine]).toMatch(/feature-1:3000 -> localhost:\d+ \(pid \d+\)/);

		const json = JSON.parse((await port(['list', '--json'], tree, e)).stdout) as {worktrees: Array<{name: string; current: boolean}>; hostServices: Array<Record<string, unknown>>};
		expect(json.worktrees.map(w => [w.name, w.current])).toEqual([
			['app', false],
			['feature-1', true],
		]);
		expect(json.hostServices[0]).toMatchObject({repo, branch: 'feature-1', logicalPort: 3000, status: 'running'});
		for (const key of ['actualPort', 'pid', 'configFile', 'logFile', 'supervisorPid']) expect(json.hostServices[0]).toHaveProperty(key);

		// kill only touches the current worktree
		const killed = await port(['kill'], tree, e);
		expect(killed.stdout).toMatch(/stopped feature-1:3000 \(pid \d+, localhost:\d+\)/);
		await finished(a);
		expect(readRegistryFile(e.portHome).hostServices.map(s => s.branch)).toEqual(['other']);
		const all = await port(['kill', '--all'], tempDir(), e);
		expect(all.stdout).toContain('stopped other:4000');
		await finished(b);
		expect(readRegistryFile(e.portHome).hostServices).toEqual([]);
	});

	it('kill with nothing to stop says so and exits 0; bad port exits 2', async () => {
		const repo = makeRepo();
		const e = env();
		expect((await port(['kill'], repo, e)).stdout).toContain('No host services to stop');
		const bad = await port(['kill', '70000'], repo, e);
		expect(bad.code).toBe(2);
		expect(bad.stderr).toContain('Invalid port "70000"');
	});
});

describe('top level', () => {
	it('--version prints the package version', async () => {
		const result = await port(['--version'], tempDir(), env());
		const pkg = JSON.parse(readFileSync(path.join(repoDir, 'package.json'), 'utf8')) as {version: string};
		expect(result.stdout.trim()).toBe(pkg.version);
	});

	it('every command has --help', async () => {
		for (const command of ['run', 'init', 'list', 'kill']) {
			const result = await port([command, '--help'], tempDir(), env());
			expect(result.code, command).toBe(0);
			expect(result.stdout, command).toContain(`$ port ${command}`);
		}
	});

	it('an unknown flag exits 2 with a hint', async () => {
		const result = await port(['--frobnicate'], tempDir(), env());
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('Unknown flag --frobnicate');
		expect(result.stderr).toContain("port --help");
		const sub = await port(['list', '--frobnicate'], tempDir(), env());
		expect(sub.code).toBe(2);
		expect(sub.stderr).toContain("Run 'port list --help'");
	});
});
