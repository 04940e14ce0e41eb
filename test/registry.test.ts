import {spawn} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {build, stop} from 'esbuild';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {readRegistry, updateRegistry} from '../source/core/registry/registry.js';
import {setWarningSink} from '../source/core/warnings.js';
import {port, readRegistryFile} from './helpers/cli.js';
import {fakeDocker, makeRepo, onCleanup, repoDir, runCleanups, tempDir} from './helpers/env.js';

let writerDir: string;
let writerBundle: string;
let home: string;

beforeAll(async () => {
	// Inside the checkout: the registry require()s proper-lockfile from node_modules on first write.
	const cache = path.join(repoDir, 'node_modules', '.cache');
	mkdirSync(cache, {recursive: true});
	writerDir = mkdtempSync(path.join(cache, 'port-writer-'));
	writerBundle = path.join(writerDir, 'writer.mjs');
	await build({
		entryPoints: [path.join(repoDir, 'test', 'fixtures', 'registry-writer.ts')],
		bundle: true,
		platform: 'node',
		format: 'esm',
		outfile: writerBundle,
		mainFields: ['module', 'main'],
		banner: {js: "import {createRequire} from 'node:module'; const require = createRequire(import.meta.url);"},
		logLevel: 'error',
	});
	await stop(); // esbuild's service process would outlive the file
});

afterAll(() => rmSync(writerDir, {recursive: true, force: true}));

beforeEach(() => {
	home = tempDir('port-home-');
	process.env['PORT_HOME'] = home;
});

afterEach(() => {
	delete process.env['PORT_HOME'];
});

const registryPath = () => path.join(home, 'registry.json');
const backups = () => readdirSync(home).filter(f => f.startsWith('registry.json.corrupt-'));

describe('registry', () => {
	it('100 concurrent writer processes lose nothing', async () => {
		const runs = Array.from({length: 100}, (_, writer) =>
			new Promise<number | null>(resolve => {
				const child = spawn(process.execPath, [writerBundle, String(writer), '3'], {env: {...process.env, PORT_HOME: home}, stdio: 'ignore'});
				child.on('close', resolve);
			}),
		);
		expect(await Promise.all(runs)).toEqual(Array.from({length: 100}, () => 0));
		const {projects} = readRegistry();
		expect(projects).toHaveLength(300);
		expect(new Set(projects.map(p => p.composeProject)).size).toBe(300);
		expect(readdirSync(home).filter(f => f.endsWith('.tmp'))).toEqual([]);
	}, 120_000);

	it('a registry that is not JSON is moved to a timestamped backup with a warning, never silently emptied', () => {
		writeFileSync(registryPath(), '{"hostServices": [ this is not json');
		const warnings: string[] = [];
		const restore = setWarningSink(m => warnings.push(m));
		try {
			expect(readRegistry().hostServices).toEqual([]);
		} finally {
			restore();
		}
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toContain('not valid JSON');
		expect(backups()).toHaveLength(1);
		expect(readFileSync(path.join(home, backups()[0]!), 'utf8')).toBe('{"hostServices": [ this is not json');
		expect(JSON.parse(readFileSync(registryPath(), 'utf8'))).toMatchObject({version: 1, hostServices: []});
	});

	it('keeps entries it does not understand in the file, unchanged, without a backup', () => {
		const good = {repo: '/r', worktree: 'a', path: '/r', composeProject: 'r-a', domain: 'port', ports: [3000], updatedAt: 'x'};
		writeFileSync(registryPath(), JSON.stringify({version: 1, projects: [good, {repo: 42}], hostServices: [{pid: -1}]}));
		expect(readRegistry().projects).toEqual([good]);
		updateRegistry(r => void r.projects.push({...good, worktree: 'b'}));
		const file = JSON.parse(readFileSync(registryPath(), 'utf8'));
		expect(file.projects).toEqual([good, {...good, worktree: 'b'}, {repo: 42}]);
		expect(file.hostServices).toEqual([{pid: -1}]);
		expect(backups()).toEqual([]);
	});

	it('reads the older (seed) shape and writes its entries and unknown keys back unchanged', () => {
		const project = {repo: '/old/app', branch: 'main', ports: [3000, 5432], color: 'blue'};
		const service = {repo: '/old/app', branch: 'main', logicalPort: 8080, actualPort: 41_234, pid: process.pid, configFile: '/nowhere/old.yml', note: {kept: [1, 2]}};
		const seed = {projects: [project], hostServices: [service], settings: {theme: 'dark'}};
		writeFileSync(registryPath(), JSON.stringify(seed));
		const read = readRegistry();
		expect(read.projects).toMatchObject([{repo: '/old/app', worktree: 'main', ports: [3000, 5432], legacy: true}]);
		expect(read.hostServices).toMatchObject([{repo: '/old/app', branch: 'main', hostname: 'main.port', logicalPort: 8080, pid: process.pid, legacy: true}]);
		updateRegistry(r => void r.projects.push({repo: '/r', worktree: 'a', path: '/r', composeProject: 'r-a', domain: 'port', ports: [1], updatedAt: 'x'}));
		const file = JSON.parse(readFileSync(registryPath(), 'utf8'));
		expect(file.projects[0]).toEqual(project);
		expect(file.hostServices).toEqual([service]);
		expect(file.settings).toEqual({theme: 'dark'});
		expect(backups()).toEqual([]);
	});

	it('refuses a registry from a newer version and leaves it untouched', () => {
		const future = JSON.stringify({version: 99, projects: [], hostServices: [], somethingNew: true});
		writeFileSync(registryPath(), future);
		expect(() => updateRegistry(r => void r.projects.push())).toThrow(/newer port \(registry version 99/);
		expect(readFileSync(registryPath(), 'utf8')).toBe(future);
		expect(backups()).toEqual([]);
	});

	it('a mutator that throws leaves the registry as it was, with no temp file and no lock left', () => {
		updateRegistry(r => void r.projects.push({repo: '/r', worktree: 'a', path: '/r', composeProject: 'r-a', domain: 'port', ports: [1], updatedAt: 'x'}));
		const before = readFileSync(registryPath(), 'utf8');
		expect(() =>
			updateRegistry(r => {
				r.projects = [];
				throw new Error('mutator failed');
			}),
		).toThrow('mutator failed');
		expect(readFileSync(registryPath(), 'utf8')).toBe(before);
		expect(readdirSync(home).filter(f => f.endsWith('.tmp') || f.endsWith('.lock'))).toEqual([]);
	});
});

describe('port list with a damaged registry (CLI)', () => {
	afterEach(() => runCleanups());

	it('warns once, exits 0, and keeps a backup', async () => {
		writeFileSync(registryPath(), 'garbage');
		const repo = makeRepo();
		const result = await port(['list'], repo, {portHome: home, dockerBin: fakeDocker().bin});
		expect(result.code).toBe(0);
		expect(result.stderr).toMatch(/^port: warning: registry .* was unusable \(it is not valid JSON\); it was moved to .*registry\.json\.corrupt-/);
		expect(result.stderr.trim().split('\n')).toHaveLength(1);
		expect(backups()).toHaveLength(1);
		expect(readRegistryFile(home).hostServices).toEqual([]);
	});

	it('a registry that is JSON but not an object is backed up', async () => {
		writeFileSync(registryPath(), '[1, 2]');
		const result = await port(['list'], makeRepo(), {portHome: home});
		expect(result.code).toBe(0);
		expect(result.stderr).toMatch(/was unusable \(not a JSON object\)/);
		expect(backups()).toHaveLength(1);
		expect(readFileSync(path.join(home, backups()[0]!), 'utf8')).toBe('[1, 2]');
	});

	it('a seed-shape registry survives port run and port list: entries and unknown keys kept, nothing backed up', async () => {
		const repo = makeRepo();
		const keeper = spawn('sleep', ['300'], {stdio: 'ignore'});
		onCleanup(() => keeper.kill('SIGKILL'));
		const project = {repo: '/old/other', branch: 'main', ports: [3000], extra: 'x'};
		const service = {repo: '/old/other', branch: 'main', logicalPort: 8080, actualPort: 41_234, pid: keeper.pid, configFile: path.join(home, 'traefik', 'dynamic', 'old.yml'), tag: [1]};
		const seed = {projects: [project], hostServices: [service], owner: {name: 'me'}};
		writeFileSync(registryPath(), `${JSON.stringify(seed, null, 2)}\n`);
		const run = await port(['run', '3001', '--', 'true'], repo, {portHome: home});
		expect(run.code, run.stderr).toBe(0);
		expect(run.stderr).not.toMatch(/unusable|malformed/);
		const file = JSON.parse(readFileSync(registryPath(), 'utf8'));
		expect(file).toMatchObject({projects: [project], hostServices: [service], owner: {name: 'me'}});
		expect(file.projects).toEqual([project]);
		expect(file.hostServices).toEqual([service]);
		const list = await port(['list', '--json'], repo, {portHome: home});
		expect(list.code, list.stderr).toBe(0);
		expect(list.stderr).toBe('');
		const listed = JSON.parse(list.stdout);
		expect(listed.hostServices).toMatchObject([{repo: '/old/other', branch: 'main', logicalPort: 8080, actualPort: 41_234, pid: keeper.pid, legacy: true}]);
		expect(listed.projects).toMatchObject([{repo: '/old/other', worktree: 'main', ports: [3000], legacy: true}]);
		expect(backups()).toEqual([]);
	});

	it('exits 3 with one line for a future registry', async () => {
		writeFileSync(registryPath(), JSON.stringify({version: 2, projects: [], hostServices: []}));
		const result = await port(['list', '--json'], makeRepo(), {portHome: home});
		expect(result.code).toBe(3);
		expect(result.stderr.trim().split('\n')).toHaveLength(1);
		expect(result.stderr).toContain('written by a newer port');
		expect(existsSync(registryPath())).toBe(true);
	});
});
