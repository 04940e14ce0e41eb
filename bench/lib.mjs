// Shared helpers for the benchmarks: statistics, machine description, temp repos, a fake docker,
// and the results file. Plain ESM JavaScript so `node bench/<name>.mjs` runs without a build step
// (the benchmarks run the built CLI in dist/).
import {execFileSync, spawn, spawnSync} from 'node:child_process';
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// PORT_BENCH_CLI points at another build (e.g. PORT_BUILD_OUTDIR=.prof-dist) when dist/ is busy.
export const cliPath = process.env.PORT_BENCH_CLI ? path.resolve(process.env.PORT_BENCH_CLI) : path.join(repoDir, 'dist', 'cli.js');
export const serverFixture = path.join(repoDir, 'test', 'fixtures', 'server.cjs');

/** Milliseconds since an arbitrary origin, sub-millisecond resolution. */
export const now = () => Number(process.hrtime.bigint()) / 1e6;
export const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

export function quantile(sorted, q) {
	if (sorted.length === 0) return Number.NaN;
	const pos = (sorted.length - 1) * q;
	const lo = Math.floor(pos);
	const hi = Math.ceil(pos);
	return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Median and spread (p10-p90) of a sample, in the sample's unit. */
export function stats(samples) {
	const sorted = [...samples].sort((a, b) => a - b);
	return {n: sorted.length, median: quantile(sorted, 0.5), p10: quantile(sorted, 0.1), p90: quantile(sorted, 0.9), min: sorted[0], max: sorted.at(-1)};
}

export const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

export function machine() {
	const cpus = os.cpus();
	return {
		cpu: cpus[0]?.model?.trim() ?? 'unknown',
		cores: cpus.length,
		memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
		node: process.version,
		platform: `${os.type()} ${os.release()} ${os.arch()}`,
		loadAverage: os.loadavg().map(l => l.toFixed(2)).join(' '),
		date: new Date().toISOString(),
	};
}

const cleanups = [];
export const onCleanup = fn => cleanups.push(fn);
export async function runCleanups() {
	while (cleanups.length > 0) {
		try {
			await cleanups.pop()();
		} catch {
			// best effort
		}
	}
}

export function tempDir(prefix = 'port-bench-') {
	const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
	onCleanup(() => rmSync(dir, {recursive: true, force: true}));
	return dir;
}

const gitEnv = {...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b'};
export const git = (cwd, ...args) => execFileSync('git', args, {cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: gitEnv});

/** A real repository (initialised with `port init`) and `worktrees` linked worktrees under .port/trees/. */
export function makeRepo(worktrees = 0, env = {}) {
	const root = path.join(tempDir(), 'app');
	mkdirSync(root);
	git(root, 'init', '-q', '-b', 'main');
	writeFileSync(path.join(root, 'README'), 'bench\n');
	git(root, 'add', '.');
	git(root, 'commit', '-q', '-m', 'init');
	const init = spawnSync(process.execPath, [cliPath, 'init'], {cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8'});
	if (init.status !== 0) throw new Error(`port init failed: ${init.stderr}`);
	const trees = [];
	for (let i = 1; i <= worktrees; i++) {
		const dir = path.join(root, '.port', 'trees', `feature-${i}`);
		git(root, 'worktree', 'add', '-q', '-b', `feature-${i}`, dir);
		trees.push(dir);
	}
	return {root, trees};
}

/** A fake `docker` that answers "engine up, Traefik running" without spawning anything heavy. */
export function fakeDocker() {
	const dir = tempDir('port-bench-docker-');
	const bin = path.join(dir, 'bin');
	mkdirSync(bin);
	writeFileSync(
		path.join(bin, 'docker'),
		`#!/bin/sh
case "$1 $2" in
  "version --format") echo "24.0.0"; exit 0;;
  "inspect --type") echo true; exit 0;;
  "compose version") echo "2.26.1"; exit 0;;
  "network inspect") echo traefik-network; exit 0;;
esac
exit 0
`,
	);
	chmodSync(path.join(bin, 'docker'), 0o755);
	return bin;
}

/** Environment for `port`: isolated PORT_HOME, only the fake docker (or none) on PATH, no TTY prompts. */
export function portEnv(portHome, dockerBin, extra = {}) {
	const basics = [path.dirname(process.execPath), '/usr/bin', '/bin', '/usr/sbin', '/sbin'];
	return {
		HOME: process.env.HOME ?? os.homedir(),
		PATH: [...(dockerBin ? [dockerBin] : []), ...basics].join(path.delimiter),
		PORT_HOME: portHome,
		PORT_STOP_TIMEOUT: '2000',
		CI: 'true',
		...extra,
	};
}

/** Starts a long-running `port` (e.g. `port run`), stdin closed; killed at cleanup if still alive. */
export function startPort(args, cwd, env) {
	const child = spawn(process.execPath, [cliPath, ...args], {cwd, env, stdio: ['ignore', 'pipe', 'pipe']});
	child.output = '';
	child.stdout.on('data', d => (child.output += d));
	child.stderr.on('data', d => (child.output += d));
	child.ended = new Promise(resolve => child.once('close', (code, signal) => resolve({code, signal})));
	onCleanup(async () => {
		if (child.exitCode === null && child.signalCode === null) {
			child.kill('SIGTERM');
			await Promise.race([child.ended, sleep(3000)]);
			if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
		}
	});
	return child;
}

export function readRegistry(portHome) {
	const file = path.join(portHome, 'registry.json');
	if (!existsSync(file)) return {projects: [], hostServices: [], reservations: []};
	return JSON.parse(readFileSync(file, 'utf8'));
}

export function routeFiles(portHome) {
	const dir = path.join(portHome, 'traefik', 'dynamic');
	return existsSync(dir) ? readdirSync(dir).filter(f => f.endsWith('.yml') && !f.startsWith('.')) : [];
}

function alive(pid) {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
	} catch {
		return false;
	}
}

/** Live processes whose command line contains `marker` (Linux /proc). */
export function processesWith(marker) {
	const pids = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker) && alive(Number(entry))) pids.push(Number(entry));
		} catch {
			// gone
		}
	}
	return pids;
}

export async function waitFor(check, {timeout = 30_000, interval = 10, what = 'condition'} = {}) {
	const deadline = Date.now() + timeout;
	for (;;) {
		const value = await check();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
		await sleep(interval);
	}
}

/** Runs a command to completion and returns its wall time in ms (spawn to exit). */
export function timeRun(file, args, options) {
	return new Promise((resolve, reject) => {
		const start = now();
		const child = spawn(file, args, {stdio: ['ignore', 'ignore', 'pipe'], ...options});
		let stderr = '';
		child.stderr?.on('data', d => (stderr += d));
		child.once('error', reject);
		child.once('close', code => {
			const ms = now() - start;
			if (code !== 0) reject(new Error(`${[file, ...args].join(' ')} exited ${code}: ${stderr.trim()}`));
			else resolve(ms);
		});
	});
}

/** Markdown table from rows of cells. */
export function table(header, rows) {
	const line = cells => `| ${cells.join(' | ')} |`;
	return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export const budgetLine = (met, text) => `${met ? 'MET   ' : 'MISSED'} ${text}`;

/** True when the module is run directly (`node bench/x.mjs`), not imported by run-all. */
export const isMain = url => process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(url);

/** Runs one benchmark standalone: prints its report and cleans up. */
export async function runStandalone(bench) {
	try {
		const result = await bench.run({});
		console.log(renderResult(result));
		process.exitCode = result.budgets.every(b => b.met) ? 0 : 1;
	} finally {
		await runCleanups();
	}
}

/** A result: {title, rows: [[label, median, p10, p90, n, note]], budgets: [{text, met}], notes: [..]}. */
export function renderResult(result) {
	const out = [`### ${result.title}`, '', result.description ?? '', ''];
	out.push(table(result.header, result.rows));
	out.push('');
	for (const budget of result.budgets) out.push(`- **${budget.met ? 'Budget met' : 'Budget MISSED'}**: ${budget.text}`);
	for (const note of result.notes ?? []) out.push(`- ${note}`);
	return out.join('\n');
}

export {spawn, spawnSync, existsSync, readFileSync, writeFileSync, path, os};
