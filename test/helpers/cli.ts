import {spawn, type ChildProcess} from 'node:child_process';
import {readFileSync, existsSync, readdirSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {expect} from 'vitest';
import {cliPath, fakeDocker, git, makeRepo, onCleanup, pathWith, tempDir} from './env.js';
import {processStartTime} from '../../source/core/supervise/process-info.js';

export interface CliEnv {
	portHome: string;
	/** Directory with a fake docker; undefined means no docker on PATH at all. */
	dockerBin?: string;
	extra?: Record<string, string>;
}

export function cliEnv(env: CliEnv): NodeJS.ProcessEnv {
	return {
		HOME: process.env['HOME'],
		PATH: pathWith(env.dockerBin),
		PORT_HOME: env.portHome,
		PORT_STOP_TIMEOUT: '2000',
		CI: 'true',
		// The test's temp root: children's temp files land there, and it marks them as this test's.
		TMPDIR: os.tmpdir(),
		// '' (vitest.config.ts: Traefik is a fake) probes no host port: the developer's own :3000 cannot matter.
		PORT_TEST_PROBED_PORTS: process.env['PORT_TEST_PROBED_PORTS'],
		...env.extra,
	};
}

export interface RunResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
}

/** Runs `port` to completion (stdin closed). */
export function port(args: string[], cwd: string, env: CliEnv, input?: string): Promise<RunResult> {
	const child = startPort(args, cwd, env);
	if (input !== undefined) child.stdin?.end(input);
	return finished(child);
}

/** Starts `port` and returns the live process; it is killed at cleanup if still running. */
export function startPort(args: string[], cwd: string, env: CliEnv): ChildProcess & {output: {stdout: string; stderr: string}} {
	const child = spawn(process.execPath, [cliPath, ...args], {cwd, env: cliEnv(env), stdio: ['pipe', 'pipe', 'pipe']}) as ChildProcess & {output: {stdout: string; stderr: string}};
	child.output = {stdout: '', stderr: ''};
	child.stdout!.on('data', (d: Buffer) => (child.output.stdout += d.toString()));
	child.stderr!.on('data', (d: Buffer) => (child.output.stderr += d.toString()));
	onCleanup(() => stopLikeAUser(child, env));
	return child;
}

/**
 * Stops a `port run` still running at cleanup the way a user would: SIGTERM (it stops its
 * service), then SIGKILL if it hangs, then `port kill --all` in that PORT_HOME for a service a
 * SIGKILLed supervisor orphaned by design.
 */
async function stopLikeAUser(child: ChildProcess, env: CliEnv): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	child.kill('SIGTERM');
	const exited = await Promise.race([finished(child).then(() => true), new Promise<false>(resolve => setTimeout(() => resolve(false), 5000))]);
	if (!exited) {
		child.kill('SIGKILL');
		await finished(child);
	}
	if (existsSync(path.join(env.portHome, 'registry.json'))) await finished(spawn(process.execPath, [cliPath, 'kill', '--all'], {cwd: env.portHome, env: cliEnv(env), stdio: 'ignore'}));
}

export function finished(child: ChildProcess & {output?: {stdout: string; stderr: string}}): Promise<RunResult> {
	return new Promise(resolve => {
		const done = () => resolve({code: child.exitCode, signal: child.signalCode, stdout: child.output?.stdout ?? '', stderr: child.output?.stderr ?? ''});
		if (child.exitCode !== null || child.signalCode !== null) done();
		else child.once('close', done);
	});
}

export interface RegistryFile {
	projects: unknown[];
	hostServices: Array<{id: string; repo: string; branch: string; logicalPort: number; actualPort: number; pid: number; supervisorPid: number; configFile: string; logFile: string; owner: string}>;
}

export function readRegistryFile(portHome: string): RegistryFile {
	const file = path.join(portHome, 'registry.json');
	if (!existsSync(file)) return {projects: [], hostServices: []};
	return JSON.parse(readFileSync(file, 'utf8')) as RegistryFile;
}

export function routeFiles(portHome: string): string[] {
	const dir = path.join(portHome, 'traefik', 'dynamic');
	return existsSync(dir) ? readdirSync(dir).filter(f => f.endsWith('.yml') && !f.startsWith('.')) : [];
}

/** The pid exists and is not a zombie (core's identity check, without a start time to match). */
export const isProcessAlive = (pid: number): boolean => processStartTime(pid) !== undefined;

/** Pids of every live process whose environment or command line carries `marker`. */
export function processesWith(marker: string): number[] {
	const pids: number[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
			if (cmd.includes(marker) && isProcessAlive(Number(entry))) pids.push(Number(entry));
		} catch {
			// gone
		}
	}
	return pids;
}

/** A repository after `port init` (main checkout `app` unless given), with a fake docker and a PORT_HOME of its own. */
export async function initializedRepo(repo = makeRepo('app')) {
	const fake = fakeDocker();
	const env: CliEnv = {portHome: tempDir('port-home-'), dockerBin: fake.bin};
	expect((await port(['init'], repo, env)).code).toBe(0);
	return {repo, env, fake};
}

/** Writes `file` (its name as content) in `dir` and commits it. */
export const commitFile = (dir: string, file: string) => {
	writeFileSync(path.join(dir, file), `${file}\n`);
	git(dir, 'add', file);
	git(dir, 'commit', '-q', '-m', file);
};
