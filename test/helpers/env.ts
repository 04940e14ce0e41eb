import {execFileSync} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {createRequire} from 'node:module';
import {fileURLToPath} from 'node:url';

export const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const cliPath = path.join(repoDir, 'dist', 'cli.js');
/** Copies of the upstream JSON Schemas (provenance and licence: SOURCES.md, NOTICE there). */
export const schemasDir = path.join(repoDir, 'test', 'fixtures', 'schemas');

const cleanups: Array<() => unknown> = [];
export function onCleanup(fn: () => unknown): void {
	cleanups.push(fn);
}
/** Runs every registered cleanup, newest first (services before the temp dirs they live in). */
export async function runCleanups(): Promise<void> {
	while (cleanups.length > 0) {
		try {
			await cleanups.pop()!();
		} catch {
			// best effort
		}
	}
}

export function tempDir(prefix = 't-'): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
	onCleanup(() => rmSync(dir, {recursive: true, force: true}));
	return dir;
}

const git = (cwd: string, ...args: string[]) =>
	execFileSync('git', args, {cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t'}});

/** A real git repository with one commit, in a temp dir; `name` becomes the main checkout's worktree name. */
export function makeRepo(name = 'app'): string {
	const root = path.join(tempDir(), name);
	mkdirSync(root);
	git(root, 'init', '-q', '-b', 'main');
	writeFileSync(path.join(root, 'README'), 'test\n');
	git(root, 'add', '.');
	git(root, 'commit', '-q', '-m', 'init');
	return root;
}

/** Adds a real linked worktree at `.port/trees/<name>` on a new branch. */
export function addWorktree(repo: string, name: string): string {
	const dir = path.join(repo, '.port', 'trees', name);
	mkdirSync(path.dirname(dir), {recursive: true});
	git(repo, 'worktree', 'add', '-q', '-b', name, dir);
	return dir;
}

export {git};

/**
 * The fake's default answer to `compose ... config --format json`: a crude model (the `-f`
 * files' services merged key by key, nothing interpolated); tests that need Compose's real
 * resolution run against the engine (test/docker/) or pass a canned model in `script`.
 */
const fakeComposeConfig = `const fs = require('fs');
const YAML = require(${JSON.stringify(createRequire(import.meta.url).resolve('yaml'))});
const tags = ['!reset', '!override'].flatMap(tag => [
	{tag, collection: 'seq', resolve: v => v}, {tag, collection: 'map', resolve: v => v}, {tag, resolve: v => v}]);
const args = process.argv.slice(2);
const services = {};
args.forEach((arg, i) => {
	if (arg !== '-f') return;
	const doc = YAML.parse(fs.readFileSync(args[i + 1], 'utf8'), {customTags: tags, merge: true}) || {};
	for (const [name, svc] of Object.entries(doc.services || {})) services[name] = {...services[name], ...svc};
});
process.stdout.write(JSON.stringify({services}));
`;

/**
 * A fake `docker` on PATH that records every call (one JSON array per line in `log`) and answers
 * from a small script: by default the engine is reachable and Traefik is running.
 */
export function fakeDocker(options: {traefikRunning?: boolean; composeVersion?: string; script?: string} = {}): {bin: string; log: string; calls: () => string[][]} {
	const dir = tempDir('port-fake-docker-');
	const log = path.join(dir, 'calls.log');
	const bin = path.join(dir, 'bin');
	mkdirSync(bin);
	const running = options.traefikRunning ?? true;
	const config = path.join(dir, 'compose-config.cjs');
	writeFileSync(config, fakeComposeConfig);
	const script = `#!/bin/sh
node -e 'require("fs").appendFileSync(process.argv[1], JSON.stringify(process.argv.slice(2)) + "\\n")' "${log}" "$@"
${options.script ?? ''}
case " $* " in *" config --format json "*) exec node "${config}" "$@";; esac
case "$1 $2" in
  "version --format") echo "24.0.0"; exit 0;;
  "inspect --type") ${running ? 'echo true; exit 0' : 'echo "Error: No such object: $6" >&2; exit 1'};;
  "compose version") echo "${options.composeVersion ?? '2.26.1'}"; exit 0;;
  "network inspect") echo traefik-network; exit 0;;
esac
exit 0
`;
	writeFileSync(path.join(bin, 'docker'), script);
	chmodSync(path.join(bin, 'docker'), 0o755);
	return {
		bin,
		log,
		calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map(l => JSON.parse(l) as string[]) : []),
	};
}

/** Makes the tools directory: symlinks to every tool of the system PATH except docker. */
export function makeToolsDir(dir: string): string {
	mkdirSync(dir, {recursive: true});
	const sources = [path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin'];
	for (const source of sources) {
		let names: string[] = [];
		try {
			names = readdirSync(source);
		} catch {
			continue;
		}
		for (const name of names) {
			if (/^docker/.test(name) || existsSync(path.join(dir, name))) continue;
			try {
				symlinkSync(path.join(source, name), path.join(dir, name));
			} catch {
				// a duplicate name: the earlier directory wins, as on PATH
			}
		}
	}
	return dir;
}

/**
 * A directory of symlinks to every tool of the system PATH except docker itself, so a test can
 * run with no docker at all even on a machine (CI) where Docker is installed. Made once per run
 * by test/helpers/global-setup.ts, which removes it at the end.
 */
function toolsWithoutDocker(): string {
	const dir = process.env['PORT_TEST_TOOLS'];
	if (!dir || !existsSync(dir)) throw new Error('PORT_TEST_TOOLS is not set: run the tests through a vitest config of this repository (its globalSetup makes the tools directory)');
	return dir;
}

/** PATH with our fake docker (if given) and every system tool except a real docker. */
export function pathWith(bin?: string): string {
	return [...(bin ? [bin] : []), toolsWithoutDocker()].join(path.delimiter);
}

export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, {timeout = 10_000, interval = 25, what = 'condition'} = {}): Promise<T> {
	const deadline = Date.now() + timeout;
	for (;;) {
		const value = await check();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`Timed out after ${timeout} ms waiting for ${what}`);
		await new Promise(resolve => setTimeout(resolve, interval));
	}
}

/**
 * Pids of live processes (not this one, nor its ancestors) whose environment carries `marker`:
 * a test's children inherit PORT_HOME/TMPDIR/PATH under the run's temp root, so this finds the
 * processes of one test file or run, and never another run's.
 */
export function processesWithEnv(marker: string): number[] {
	const ancestors = new Set<number>();
	for (let pid = process.pid; pid > 1; ) {
		ancestors.add(pid);
		const stat = readOr(`/proc/${pid}/stat`);
		pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
	}
	const pids: number[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry) || ancestors.has(Number(entry))) continue;
		const state = readOr(`/proc/${entry}/stat`);
		if (state === '' || state.slice(state.lastIndexOf(')') + 2).startsWith('Z')) continue;
		if (readOr(`/proc/${entry}/environ`).includes(marker)) pids.push(Number(entry));
	}
	return pids;
}

function readOr(file: string): string {
	try {
		return readFileSync(file, 'utf8');
	} catch {
		return '';
	}
}

/** One line per pid: its command line, for a failure message. */
export const describePids = (pids: number[]): string => pids.map(pid => `${pid}: ${readOr(`/proc/${pid}/cmdline`).split('\0').join(' ').trim()}`).join('\n');
