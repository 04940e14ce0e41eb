import {spawn} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {build} from 'esbuild';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {readRegistry, updateRegistry} from '../source/core/registry.js';
import {setWarningSink} from '../source/core/warnings.js';
import {port, readRegistryFile} from './helpers/cli.js';
import {fakeDocker, makeRepo, repoDir, runCleanups, tempDir} from './helpers/env.js';

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

	it('keeps the valid entries of a registry with some malformed ones, and backs the original up', () => {
		const good = {repo: '/r', worktree: 'a', path: '/r', composeProject: 'r-a', domain: 'port', ports: [3000], updatedAt: 'x'};
		writeFileSync(registryPath(), JSON.stringify({version: 1, projects: [good, {repo: 42}], hostServices: [{pid: -1}]}));
		const restore = setWarningSink(() => {});
		try {
			expect(readRegistry().projects).toEqual([good]);
		} finally {
			restore();
		}
		expect(backups()).toHaveLength(1);
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

	it('exits 3 with one line for a future registry', async () => {
		writeFileSync(registryPath(), JSON.stringify({version: 2, projects: [], hostServices: []}));
		const result = await port(['list', '--json'], makeRepo(), {portHome: home});
		expect(result.code).toBe(3);
		expect(result.stderr.trim().split('\n')).toHaveLength(1);
		expect(result.stderr).toContain('written by a newer port');
		expect(existsSync(registryPath())).toBe(true);
	});
});
