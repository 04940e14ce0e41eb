// Benchmark 2, `port run` readiness: from starting `port run 3000 -- node server.cjs` to the
// server answering HTTP on its allocated port, against starting `PORT=<n> node server.cjs`
// directly and waiting for the same. A fake docker on PATH reports Traefik running. Runs are
// interleaved (subject, reference, subject, ...) after a warm-up.
import http from 'node:http';
import {spawn} from 'node:child_process';
import {cliPath, fakeDocker, fmt, isMain, makeRepo, now, portEnv, readRegistry, routeFiles, runStandalone, serverFixture, sleep, stats, tempDir, waitFor} from './lib.mjs';

export const budgetAddedMs = 100;

/** Resolves when GET http://127.0.0.1:<port>/ answers 200; polls every 2 ms. */
function answered(port, deadline) {
	return new Promise((resolve, reject) => {
		const attempt = () => {
			const request = http.get({host: '127.0.0.1', port, path: '/', agent: false}, response => {
				response.resume();
				if (response.statusCode === 200) resolve();
				else retry();
			});
			request.on('error', retry);
			request.setTimeout(1000, () => request.destroy());
		};
		const retry = () => (Date.now() > deadline ? reject(new Error(`port ${port} never answered`)) : setTimeout(attempt, 2));
		attempt();
	});
}

function freePort() {
	return new Promise(resolve => {
		const server = http.createServer().listen(0, '0.0.0.0', () => {
			const {port} = server.address();
			server.close(() => resolve(port));
		});
	});
}

async function once(child, portOf) {
	const start = now();
	const port = await portOf();
	await answered(port, Date.now() + 20_000);
	const ms = now() - start;
	child.kill('SIGTERM');
	await new Promise(resolve => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('close', resolve)));
	return ms;
}

async function subject(cwd, env) {
	const child = spawn(process.execPath, [cliPath, 'run', '3000', '--', process.execPath, serverFixture, 'bench'], {cwd, env, stdio: ['ignore', 'ignore', 'pipe']});
	let stderr = '';
	child.stderr.on('data', d => (stderr += d));
	// The allocated port is printed as soon as the child is spawned ("direct: http://localhost:<port>").
	const portOf = () =>
		waitFor(() => Number(/direct: http:\/\/localhost:(\d+)/.exec(stderr)?.[1]) || (child.exitCode !== null && Promise.reject(new Error(`port run exited: ${stderr}`))), {interval: 1, timeout: 20_000, what: 'port run to print its port'});
	return once(child, portOf);
}

async function reference(cwd) {
	const port = await freePort();
	const child = spawn(process.execPath, [serverFixture, 'bench'], {cwd, env: {PATH: process.env.PATH, PORT: String(port)}, stdio: 'ignore'});
	return once(child, async () => port);
}

export async function run({runs = Number(process.env.BENCH_RUNS) || 20, warmup = 3} = {}) {
	const portHome = tempDir('port-bench-home-');
	const env = portEnv(portHome, fakeDocker());
	const {trees} = makeRepo(1, env);
	const cwd = trees[0];
	const subjectMs = [];
	const referenceMs = [];
	for (let i = 0; i < warmup + runs; i++) {
		const s = await subject(cwd, env);
		const r = await reference(cwd);
		if (i >= warmup) {
			subjectMs.push(s);
			referenceMs.push(r);
		}
		// Each `port run` must have cleaned up after itself before the next starts.
		await waitFor(() => readRegistry(portHome).hostServices.length === 0 && routeFiles(portHome).length === 0, {what: 'cleanup after port run'});
	}
	const s = stats(subjectMs);
	const r = stats(referenceMs);
	const added = s.median - r.median;
	const row = (label, x) => [label, fmt(x.median), `${fmt(x.p10)}-${fmt(x.p90)}`, String(x.n)];
	return {
		key: 'readiness',
		title: '2. `port run` readiness',
		description: `From spawn until \`GET /\` answers 200 on the allocated port (ms), ${runs} interleaved runs after ${warmup} warm-up rounds; fake docker reports Traefik running.`,
		header: ['command', 'median ms', 'p10-p90 ms', 'runs'],
		rows: [row('PORT=<n> node server.cjs (reference)', r), row('port run 3000 -- node server.cjs', s)],
		budgets: [{text: `added median latency ${fmt(added)} ms (budget <= ${budgetAddedMs} ms)`, met: added <= budgetAddedMs}],
		summary: {referenceMs: r.median, subjectMs: s.median, addedMs: added},
	};
}

if (isMain(import.meta.url)) await runStandalone({run});
void sleep;
