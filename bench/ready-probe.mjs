// `node bench/ready-probe.mjs` (after `npm run build`): what readiness costs.
// 1. Time to `ready`: `port run <p> -- node server.cjs` until it prints `ready in N ms` (N as
//    reported, and the wall time from spawning `port run` to that line), against the same
//    server's first HTTP answer on its port.
// 2. The two probes a readiness watch uses: a TCP connect to the port (every 25 ms for the first
//    2 s, then every 200 ms until the grace period) and the socket scan of the process group
//    (/proc; once to confirm `ready`, and every 2 s after the grace period while not ready).
//    BENCH_RUNS (default 10) runs each.
import http from 'node:http';
import {readFileSync, readdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {build} from 'esbuild';
import {fakeDocker, fmt, makeRepo, now, portEnv, readRegistry, repoDir, runCleanups, serverFixture, sleep, startPort, stats, tempDir, waitFor} from './lib.mjs';

const runs = Number(process.env.BENCH_RUNS || 10);

const answered = port =>
	new Promise(resolve => {
		const attempt = () =>
			http
				.get({host: '127.0.0.1', port, path: '/', agent: false}, res => {
					res.resume();
					resolve();
				})
				.on('error', () => setTimeout(attempt, 2));
		attempt();
	});

async function timeToReady() {
	const portHome = tempDir('port-bench-home-');
	const env = portEnv(portHome, fakeDocker());
	const {root} = makeRepo(0, env);
	const reported = [];
	const wall = [];
	const http200 = [];
	for (let i = 0; i < runs + 1; i++) {
		const started = now();
		const run = startPort(['run', '3999', '--', 'node', serverFixture, `bench-${i}`], root, env);
		const service = await waitFor(() => readRegistry(portHome).hostServices[0], {what: 'registered'});
		await answered(service.actualPort);
		const answeredAt = now();
		const line = await waitFor(() => /ready in (\d+) ms/.exec(run.output), {what: 'ready line'});
		const readyAt = now();
		if (i > 0) {
			// The first run warms caches up and is not counted.
			reported.push(Number(line[1]));
			wall.push(readyAt - started);
			http200.push(answeredAt - started);
		}
		run.kill('SIGINT');
		await run.ended;
	}
	return {reported: stats(reported), wall: stats(wall), http200: stats(http200)};
}

async function probeCost() {
	const out = path.join(tempDir('port-bench-probe-'), 'listeners.mjs');
	const entry = path.join(path.dirname(out), 'entry.ts');
	writeFileSync(entry, `export {groupListeners} from '${path.join(repoDir, 'source', 'core', 'supervise', 'listeners.ts')}';\nexport {acceptsOnLocalhost} from '${path.join(repoDir, 'source', 'core', 'supervise', 'readiness.ts')}';\n`);
	await build({entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'error'});
	const {groupListeners, acceptsOnLocalhost} = await import(out);
	const {spawn} = await import('node:child_process');
	const port = 40_000 + Math.floor(Math.random() * 9000);
	const child = spawn(process.execPath, [serverFixture, 'probe'], {env: {...process.env, PORT: String(port)}, detached: true, stdio: 'ignore'});
	try {
		await answered(port);
		const samples = [];
		const connects = [];
		let found;
		for (let i = 0; i < runs * 20; i++) {
			let t = now();
			found = await groupListeners(child.pid);
			samples.push(now() - t);
			t = now();
			if (!(await acceptsOnLocalhost(port))) throw new Error('connect probe failed');
			connects.push(now() - t);
			await sleep(1);
		}
		const processes = readdirSync('/proc').filter(e => /^\d+$/.test(e)).length;
		const sockets = ['/proc/net/tcp', '/proc/net/tcp6'].map(f => readFileSync(f, 'utf8').split('\n').length - 2).reduce((a, b) => a + b);
		return {probe: stats(samples), connect: stats(connects), found, port, processes, sockets};
	} finally {
		process.kill(-child.pid, 'SIGKILL');
	}
}

try {
	const ready = await timeToReady();
	const probe = await probeCost();
	console.log(`time to ready (Node server, ${runs} runs, median / p90 ms):`);
	console.log(`  reported "ready in"         ${fmt(ready.reported.median)} / ${fmt(ready.reported.p90)}`);
	console.log(`  spawn of port run -> line   ${fmt(ready.wall.median)} / ${fmt(ready.wall.p90)}`);
	console.log(`  spawn of port run -> HTTP   ${fmt(ready.http200.median)} / ${fmt(ready.http200.p90)}`);
	console.log(`probes (${probe.processes} processes, ${probe.sockets} TCP sockets on the machine; the scan found ${JSON.stringify(probe.found)} for port ${probe.port}), median / p90:`);
	console.log(`  TCP connect to the port     ${fmt(probe.connect.median, 2)} / ${fmt(probe.connect.p90, 2)} ms  (first 2 s: 40/s = ~${fmt((probe.connect.median * 40) / 10, 1)}% of one core)`);
	console.log(`  socket scan of the group    ${fmt(probe.probe.median, 2)} / ${fmt(probe.probe.p90, 2)} ms  (after the grace: every 2 s = ~${fmt(probe.probe.median / 20, 2)}% of one core)`);
} finally {
	await runCleanups();
}
