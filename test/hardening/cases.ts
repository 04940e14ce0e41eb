// Shared fixtures for the hardening suite: a corpus of bad inputs, each with the exit code and
// message the product must give. Used by corpus.test.ts (fast, in `npm test`) and by the slow
// suite (mount-based file-system faults, test/hardening/slow/).
import {execFileSync, spawn} from 'node:child_process';
import {existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {port, type CliEnv, type RunResult} from '../helpers/cli.js';
import {fakeDocker, makeRepo, tempDir, onCleanup} from '../helpers/env.js';
import {processStartTime} from '../../source/core/supervise/process-info.js';

export interface Scene {
	repo: string;
	portHome: string;
	env: CliEnv;
	dockerCalls: () => string[][];
}

export function scene(options: {docker?: boolean} = {}): Scene {
	const repo = makeRepo('app');
	const fake = fakeDocker();
	const portHome = tempDir('port-home-');
	return {repo, portHome, env: {portHome, dockerBin: options.docker === false ? undefined : fake.bin}, dockerCalls: fake.calls};
}

export interface BadInput {
	name: string;
	/** Prepares files; returns the cwd to run in (default: the repository). */
	setup?: (s: Scene) => string | void;
	args: string[];
	code: number;
	message: RegExp;
	/** Extra checks after the run (nothing lost, file untouched...). */
	check?: (s: Scene, result: RunResult) => void;
	/** Warnings are allowed on stderr for these (e.g. a corrupt registry that was backed up). */
	extraLines?: number;
}

/** Every file under `dir` (recursively) whose name marks a half-written temp file. */
export function tempFiles(dir: string): string[] {
	if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
	const found: string[] = [];
	for (const entry of readdirSync(dir, {withFileTypes: true})) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) found.push(...tempFiles(full));
		else if (/\.tmp$/.test(entry.name)) found.push(full);
	}
	return found;
}

export const config = (s: Scene, text: string) => {
	mkdirSync(path.join(s.repo, '.port'), {recursive: true});
	writeFileSync(path.join(s.repo, '.port', 'config.jsonc'), text);
};

export const registryPath = (s: Scene) => path.join(s.portHome, 'registry.json');
export const writeRegistry = (s: Scene, text: string) => {
	mkdirSync(s.portHome, {recursive: true});
	writeFileSync(registryPath(s), text);
};

/** A live process (sleep) registered as a host service with its real start time: the entry that must never be lost. */
export function liveEntry(s: Scene, extra: Record<string, unknown> = {}) {
	const child = spawn('sleep', ['300'], {stdio: 'ignore', detached: true});
	onCleanup(() => {
		try {
			process.kill(child.pid!, 'SIGKILL');
		} catch {
			// gone
		}
	});
	const pid = child.pid!;
	const startTime = processStartTime(pid)!;
	return {
		id: `host-app-3000-test-${pid}`,
		repo: s.repo,
		branch: 'app',
		hostname: 'app.port',
		logicalPort: 3000,
		actualPort: 50_001,
		pid,
		pidStartTime: startTime,
		supervisorPid: pid,
		supervisorStartTime: startTime,
		owner: 'run',
		command: ['sleep', '300'],
		cwd: s.repo,
		logFile: path.join(s.portHome, 'logs', 'x.log'),
		configFile: path.join(s.portHome, 'traefik', 'dynamic', 'host-app-3000-test.yml'),
		routeName: 'host-app-3000-test',
		startedAt: new Date().toISOString(),
		...extra,
	};
}

export async function runBad(s: Scene, input: BadInput): Promise<RunResult> {
	const cwd = input.setup?.(s) ?? s.repo;
	return port(input.args, cwd, s.env);
}

export {execFileSync, readFileSync, existsSync, path, writeFileSync, mkdirSync};
