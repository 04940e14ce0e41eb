// `npm run bench`: runs every benchmark (each measures its subject and a reference side by side),
// prints the tables and rewrites bench/RESULTS.md with them and a description of the machine.
// Exit code 1 when a budget is missed (the table says which). Options via environment:
// BENCH_RUNS (start-up and readiness runs), BENCH_LOAD_ROUNDS, BENCH_ONLY=startup,readiness,...,
// BENCH_FLOOD_LINES (dashboard flood, default 1,000,000). route-live needs Docker (DOCKER_CONFIG).
import {spawnSync} from 'node:child_process';
import {existsSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {cliPath, fmt, machine, renderResult, runCleanups, table} from './lib.mjs';
import * as startup from './startup.mjs';
import * as readiness from './readiness.mjs';
import * as registryLoad from './registry-load.mjs';
import * as routeLive from './route-live.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.env.BENCH_ONLY?.split(',').map(s => s.trim());
const wanted = key => !only || only.includes(key);

/** Benchmark 4 lives in bench/ui-flood.mjs (written with `port ui`); it reports JSON with --json. */
async function uiFlood() {
	const script = path.join(here, 'ui-flood.mjs');
	const base = {key: 'ui-flood', title: '4. Dashboard log flood (`port ui`)', header: ['measure', 'value', 'budget']};
	if (!existsSync(script)) return {...base, rows: [], budgets: [{text: 'bench/ui-flood.mjs is missing: not measured', met: false}]};
	const tmux = spawnSync('tmux', ['-V'], {encoding: 'utf8'});
	if (tmux.status !== 0) return {...base, rows: [], budgets: [{text: 'tmux is not installed: the flood benchmark needs a real terminal', met: false}]};
	const lines = process.env.BENCH_FLOOD_LINES || '1000000';
	const result = spawnSync(process.execPath, [script, '--json', '--lines', lines], {encoding: 'utf8', env: {...process.env, PORT_BENCH_CLI: cliPath}, maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60_000});
	let data;
	try {
		data = JSON.parse(result.stdout.slice(result.stdout.indexOf('{')));
	} catch {
		return {...base, rows: [], budgets: [{text: `ui-flood.mjs did not report (exit ${result.status}): ${(result.stderr || result.stdout).trim().split('\n').at(-1)}`, met: false}]};
	}
	const k = data.keyToFrameMs;
	const m = data.mergedKeyToFrameMs;
	return {
		...base,
		description: `${Number(data.lines).toLocaleString('en')} lines into one of ${data.services - m.services} dashboard-owned services while \`port ui\` runs in tmux; keys (Tab) sent every ~40 ms during each flood round (${data.rounds} rounds; a round is over when its last line is on screen, ~0.5 s, so each gives ~5 keys; reference: the same keys without a flood).`,
		rows: [
			['flood fully shown (ms, per round)', data.floodMs.join(' / '), ''],
			['the child itself wrote it in (ms)', data.childWriteMs.join(' / '), ''],
			['dashboard peak RSS', `${data.peakRssMB} MB`, `< ${data.budgets.peakRssMB} MB`],
			['key press -> next frame during the flood', `median ${fmt(k.median)} ms, p95 ${fmt(k.p95)} ms, max ${fmt(k.max)} ms (${k.n}/${k.sent} keys)`, `< ${data.budgets.keyToFrameMs} ms`],
			['reference: key -> frame without a flood', `median ${fmt(data.idleKeyToFrameMs.median)} ms, p95 ${fmt(data.idleKeyToFrameMs.p95)} ms`, ''],
			[`merged view of ${m.services} services at ${m.linesPerSecondEach.toLocaleString('en')} lines/s each: key press -> next frame`, `median ${fmt(m.median)} ms, p95 ${fmt(m.p95)} ms, max ${fmt(m.max)} ms (${m.n}/${m.sent} keys)`, `< ${data.budgets.keyToFrameMs} ms`],
		],
		budgets: [
			{text: `peak RSS ${data.peakRssMB} MB (budget < ${data.budgets.peakRssMB} MB)`, met: data.peakRssMB < data.budgets.peakRssMB},
			{text: `key press to frame p95 ${fmt(k.p95)} ms (budget < ${data.budgets.keyToFrameMs} ms)`, met: k.n > 0 && k.p95 < data.budgets.keyToFrameMs},
			{text: `merged view: key press to frame p95 ${fmt(m.p95)} ms (budget < ${data.budgets.keyToFrameMs} ms)`, met: m.n > 0 && m.p95 < data.budgets.keyToFrameMs},
		],
	};
}

const benches = [
	['startup', () => startup.run()],
	['readiness', () => readiness.run()],
	['registry-load', () => registryLoad.run()],
	['ui-flood', () => uiFlood()],
	// Needs a Docker engine and the real Traefik image; reports "not measured" without them.
	['route-live', () => routeLive.run()],
];

const info = machine();
const results = [];
for (const [key, run] of benches) {
	if (!wanted(key)) continue;
	process.stderr.write(`bench: ${key}...\n`);
	let result;
	try {
		result = await run();
	} catch (error) {
		result = {key, title: key, header: ['error'], rows: [[String(error?.message ?? error)]], budgets: [{text: `benchmark failed: ${error?.message ?? error}`, met: false}]};
	} finally {
		await runCleanups();
	}
	results.push(result);
	process.stdout.write(`\n${renderResult(result)}\n`);
}

const summary = results.flatMap(r => r.budgets.map(b => [r.title, b.met ? 'met' : '**MISSED**', b.text]));
const doc = [
	'# Benchmark results',
	'',
	'Written by `npm run bench` (bench/run-all.mjs); do not edit by hand. Each benchmark runs its subject and a reference side by side in the same run, after a warm-up; medians with the p10-p90 spread.',
	'',
	'## Machine',
	'',
	table(['', ''], [
		['CPU', `${info.cpu} (${info.cores} cores)`],
		['Memory', `${info.memoryGiB} GiB`],
		['Node', info.node],
		['OS', info.platform],
		['Load average at the start / end (1/5/15 min)', `${info.loadAverage} / ${os.loadavg().map(l => l.toFixed(2)).join(' ')}`],
		['Date', info.date],
	]),
	'',
	'## Budgets',
	'',
	table(['benchmark', 'result', 'measured vs budget'], summary),
	'',
	...results.map(r => `${renderResult(r).replace(/^### /, '## ')}\n`),
	process.env.BENCH_NOTE ? `## Note\n\n${process.env.BENCH_NOTE}\n` : '',
].join('\n');
if (!only) writeFileSync(path.join(here, 'RESULTS.md'), doc);
else process.stderr.write('bench: BENCH_ONLY set, bench/RESULTS.md left as it was\n');
process.stdout.write(`\n${table(['benchmark', 'result', 'measured vs budget'], summary)}\n`);
process.exitCode = summary.every(([, met]) => met === 'met') ? 0 : 1;
