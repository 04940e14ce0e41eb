// Benchmark 5, route live through the REAL Traefik: from starting `port run <L> -- node server.cjs`
// to the first 200 through Traefik (`Host: feature-1.port` to 127.0.0.1:<L>), against the same
// server started directly (first 200 on its own port). Traefik already runs with entrypoint L
// (a warm-up run adds it), as for a developer restarting a dev server. Also: how long existing
// routes are interrupted when a new logical port is added (Traefik is recreated). Needs a Docker
// engine and the image .ci/docker/setup.sh builds (port's default PORT_TRAEFIK_IMAGE).
import http from 'node:http';
import {spawn, spawnSync} from 'node:child_process';
import {fmt, isMain, makeRepo, now, path, portEnv, serverFixture, sleep, startPort, stats, tempDir, waitFor} from './lib.mjs';

export const budgetAddedMs = 500;
export const budgetInterruptionMs = 3000;

/** One GET with a Host header; resolves with the status code (0 on a connection error). */
function status(port, host) {
	return new Promise(resolve => {
		const request = http.get({host: '127.0.0.1', port, path: '/', agent: false, headers: host ? {Host: `${host}:${port}`} : {}}, response => {
			response.resume();
			resolve(response.statusCode ?? 0);
		});
		request.on('error', () => resolve(0));
		request.setTimeout(1000, () => request.destroy());
	});
}

const answered = (port, host) => waitFor(async () => (await status(port, host)) === 200, {interval: 2, timeout: 20_000, what: `200 on :${port}`});

function freePort() {
	return new Promise(resolve => {
		const server = http.createServer().listen(0, '127.0.0.1', () => {
			const {port} = server.address();
			server.close(() => resolve(port));
		});
	});
}

async function stop(child) {
	if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
	await child.ended;
}

export async function run({runs = Number(process.env.BENCH_RUNS) || 10, warmup = 2} = {}) {
	const base = {key: 'route-live', title: '5. Route live through the real Traefik', header: ['measure', 'median ms', 'p10-p90 ms', 'runs']};
	const docker = spawnSync('sh', ['-c', 'command -v docker'], {encoding: 'utf8'}).stdout.trim();
	const image = spawnSync('docker', ['image', 'inspect', 'traefik:v3.7.6'], {encoding: 'utf8'});
	if (!docker || image.status !== 0) return {...base, rows: [], budgets: [], notes: ['not measured: needs a Docker engine and the real Traefik image (bash .ci/docker/setup.sh; export DOCKER_CONFIG)']};
	if (spawnSync('docker', ['inspect', '--type', 'container', 'port-traefik']).status === 0) return {...base, rows: [], budgets: [], notes: ['not measured: a port-traefik container already runs on this engine']};
	const portHome = tempDir('port-bench-home-');
	const env = portEnv(portHome, path.dirname(docker), {DOCKER_CONFIG: process.env.DOCKER_CONFIG ?? ''});
	const {trees} = makeRepo(2, env);
	const [logical, keeperPort] = [await freePort(), await freePort()];
	const keeper = startPort(['run', String(keeperPort), '--', process.execPath, serverFixture, 'keeper'], trees[1], env);
	try {
		await answered(keeperPort, 'feature-2.port');
		const subjectMs = [];
		const referenceMs = [];
		for (let i = 0; i < warmup + runs; i++) {
			const start = now();
			const child = startPort(['run', String(logical), '--', process.execPath, serverFixture, 'bench'], trees[0], env);
			await answered(logical, 'feature-1.port');
			const s = now() - start;
			await stop(child);
			await waitFor(async () => (await status(logical, 'feature-1.port')) === 404, {what: 'route removed'});
			const port = await freePort();
			const startRef = now();
			const direct = spawn(process.execPath, [serverFixture, 'bench'], {env: {PATH: process.env.PATH, PORT: String(port)}, stdio: 'ignore'});
			direct.ended = new Promise(resolve => direct.once('close', resolve));
			await answered(port);
			const r = now() - startRef;
			await stop(direct);
			if (i >= warmup) {
				subjectMs.push(s);
				referenceMs.push(r);
			}
		}
		// Interruption: keeper's route polled every 10 ms while a new logical port is added.
		const gaps = [];
		for (let i = 0; i < 3; i++) {
			let longest = 0;
			let downSince;
			let polling = true;
			const poll = (async () => {
				while (polling) {
					const ok = (await status(keeperPort, 'feature-2.port')) === 200;
					if (!ok) downSince ??= now();
					else if (downSince !== undefined) (longest = Math.max(longest, now() - downSince)), (downSince = undefined);
					await sleep(10);
				}
			})();
			const added = startPort(['run', String(await freePort()), '--', process.execPath, serverFixture, 'added'], trees[0], env);
			await waitFor(() => /direct: http/.test(added.output), {what: 'the added port run'});
			await sleep(300);
			await answered(keeperPort, 'feature-2.port');
			polling = false;
			await poll;
			gaps.push(longest);
			await stop(added);
		}
		const s = stats(subjectMs);
		const r = stats(referenceMs);
		const g = stats(gaps);
		const added = s.median - r.median;
		const row = (label, x) => [label, fmt(x.median), `${fmt(x.p10)}-${fmt(x.p90)}`, String(x.n)];
		return {
			...base,
			description: `Route live: from spawning \`port run\` until Traefik answers 200 for the worktree's hostname, against the server started directly (${runs} interleaved runs after ${warmup} warm-up). Interruption: longest run of failed requests to an existing route while another logical port is added (Traefik recreated).`,
			rows: [row('PORT=<n> node server.cjs, first 200 on its port (reference)', r), row('port run <L> -- node server.cjs, first 200 through Traefik', s), row('existing route interrupted while a logical port is added', g)],
			budgets: [
				{text: `route live: added median ${fmt(added)} ms (budget <= ${budgetAddedMs} ms)`, met: added <= budgetAddedMs},
				{text: `interruption when adding a logical port: median ${fmt(g.median)} ms, max ${fmt(g.max)} ms (budget <= ${budgetInterruptionMs} ms)`, met: g.max <= budgetInterruptionMs},
			],
			summary: {referenceMs: r.median, subjectMs: s.median, addedMs: added, interruptionMs: g.median},
		};
	} finally {
		await stop(keeper);
		const traefik = spawnSync('docker', ['inspect', '--type', 'container', '--format', '{{index .Config.Labels "com.docker.compose.project.config_files"}}', 'port-traefik'], {encoding: 'utf8'});
		if (traefik.status === 0 && traefik.stdout.startsWith(portHome)) spawnSync('docker', ['rm', '-f', 'port-traefik']);
	}
}

if (isMain(import.meta.url)) {
	const {runStandalone} = await import('./lib.mjs');
	await runStandalone({run});
}

