// Floods one dashboard-owned service with 1,000,000 lines while the real `port ui` runs in a
// real terminal (tmux), and reports:
//   - flood time: from the launch key until the dashboard's screen shows the flood's last line
//     (and how long the child itself took to write it),
//   - peak RSS of the dashboard process (VmHWM),
//   - key press -> next frame latency during the flood (median / p95): keys are sent with
//     `tmux send-keys` every ~100 ms; PORT_UI_TRACE makes the dashboard log `key` and `frame`
//     times; latency = first frame after the dashboard received the key - time the key was sent.
// With 20 services: 19 declared idle ones are started with `A` first (issue 14). Then the merged
// view: 5 services in another worktree print 10,000 lines/s each while that worktree's row (all
// its services merged) is shown, and the same keys measure key -> frame there.
// Budgets (issue 14): peak RSS < 150 MB, key-to-frame p95 < 100 ms, in both phases. Exit code 1
// when over budget.
//
// Usage: npm run build && node bench/ui-flood.mjs [--lines 1000000] [--rounds 8] [--merged-seconds 6] [--json]
// Needs tmux. PORT_BENCH_CLI points at another build than dist/cli.js.
import {execFile, execFileSync} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cliPath = process.env.PORT_BENCH_CLI ? path.resolve(process.env.PORT_BENCH_CLI) : path.join(repoDir, 'dist', 'cli.js');
const args = process.argv.slice(2);
const lines = Number(args[args.indexOf('--lines') + 1] || 1_000_000) || 1_000_000;
const asJson = args.includes('--json');
const rounds = Number(args[args.indexOf('--rounds') + 1] || 8) || 8;
const mergedSeconds = Number(args[args.indexOf('--merged-seconds') + 1] || 6) || 6;
const budgets = {peakRssMB: 150, keyToFrameMs: 100};
const idleServices = 19;
const mergedServices = 5;
const mergedRate = 10_000;
const hasBusybox = (() => {
	try {
		return execFileSync('busybox', ['--list'], {encoding: 'utf8'}).split('\n').includes('httpd');
	} catch {
		return false;
	}
})();

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
const git = (cwd, ...a) => execFileSync('git', a, {cwd, stdio: 'ignore', env: {...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b'}});
const quantile = (sorted, q) => {
	if (sorted.length === 0) return Number.NaN;
	const pos = (sorted.length - 1) * q;
	return sorted[Math.floor(pos)] + (sorted[Math.ceil(pos)] - sorted[Math.floor(pos)]) * (pos - Math.floor(pos));
};

const work = mkdtempSync(path.join(os.tmpdir(), 'port-ui-flood-'));
// A socket file inside the work dir (removed at the end); tmux -L would leave one in /tmp/tmux-<uid>/.
const socket = path.join(work, 'tmux.sock');
const tmux = (...a) => execFileSync('tmux', ['-S', socket, ...a], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});

function setup() {
	const repo = path.join(work, 'app');
	mkdirSync(repo);
	git(repo, 'init', '-q', '-b', 'main');
	writeFileSync(path.join(repo, 'README'), 'bench\n');
	git(repo, 'add', '.');
	git(repo, 'commit', '-q', '-m', 'init');
	// A second worktree so j/k always have somewhere to move.
	mkdirSync(path.join(repo, '.port', 'trees'), {recursive: true});
	git(repo, 'worktree', 'add', '-q', '-b', 'other', path.join(repo, '.port', 'trees', 'other'));
	const bin = path.join(work, 'bin');
	mkdirSync(bin);
	// No real Docker: Traefik reads as running, `docker ps` lists nothing.
	writeFileSync(path.join(bin, 'docker'), '#!/bin/sh\ncase "$1 $2" in\n  "version --format") echo 24.0.0;;\n  "inspect --type") echo true;;\nesac\nexit 0\n');
	chmodSync(path.join(bin, 'docker'), 0o755);
	const flood = path.join(work, 'flood.cjs');
	writeFileSync(
		flood,
		`const fs = require('node:fs');
const n = ${lines};
const started = Date.now();
const chunk = 5000;
for (let i = 0; i < n; i += chunk) {
	let text = '';
	for (let j = i; j < Math.min(n, i + chunk); j++) text += '\\u001b[32mINFO\\u001b[0m GET /api/items/' + j + ' 200 in 3 ms\\n';
	fs.writeSync(1, text);
}
fs.writeSync(1, 'FLOOD-END ' + n + ' pid ' + process.pid + '\\n');
fs.appendFileSync(${JSON.stringify(path.join(work, 'child-done'))}, (Date.now() - started) + '\\n');
setInterval(() => {}, 1000);
process.on('SIGTERM', () => process.exit(0));
`,
	);
	// 19 declared idle services (A starts them) + the flood = 20 services. Idle dev servers listen
	// on their PORT (a busybox httpd is ~1 MB); without busybox they are `sleep`s that never listen,
	// whose readiness keeps being probed (slower).
	const idleCommand = hasBusybox ? 'busybox httpd -f -p 127.0.0.1:$PORT' : 'sleep 100000';
	const services = Object.fromEntries(Array.from({length: idleServices}, (_, i) => [`idle${i + 1}`, {port: 3001 + i, command: idleCommand}]));
	mkdirSync(path.join(repo, '.port'), {recursive: true});
	writeFileSync(path.join(repo, '.port', 'config.jsonc'), JSON.stringify({services}, null, 2));
	// The merged phase: each prints ${mergedRate} lines/s (100 lines every 10 ms).
	const rate = path.join(work, 'rate.cjs');
	writeFileSync(
		rate,
		`const fs = require('node:fs');
const name = process.argv[2];
// Long enough for slow launches on a busy machine; stopped with the dashboard.
const until = Date.now() + 300_000;
let i = 0;
const timer = setInterval(() => {
	if (Date.now() > until) return clearInterval(timer);
	let text = '';
	for (let j = 0; j < ${mergedRate / 100}; j++) text += '\\u001b[36m' + name + '\\u001b[0m request ' + i++ + ' done\\n';
	fs.writeSync(1, text);
}, 10);
setInterval(() => {}, 1000);
process.on('SIGTERM', () => process.exit(0));
`,
	);
	return {repo, bin, flood, rate};
}

function dashboardPid() {
	const shellPid = Number(tmux('list-panes', '-t', 'ui', '-F', '#{pane_pid}').trim());
	// The pane runs `sh -c "env -i ... node cli.js ui; ..."`; env execs node, so the shell's only
	// child is the dashboard (its title reads `port`).
	const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(shellPid)], {encoding: 'utf8'}).trim().split('\n').filter(Boolean);
	if (children.length !== 1) throw new Error(`expected one dashboard process under pane ${shellPid}, found: ${children.join(', ')}`);
	return Number(children[0]);
}

const vmHwmMB = pid => {
	const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
	return match ? Number(match[1]) / 1024 : Number.NaN;
};

async function main() {
	if (!existsSync(cliPath)) throw new Error(`${cliPath} missing: run npm run build first`);
	const {repo, bin, flood, rate} = setup();
	const home = path.join(work, 'home');
	const trace = path.join(work, 'trace.log');
	const env = ['CI=false', 'TERM=xterm-256color', `PORT_HOME=${home}`, `PATH=${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`, `PORT_UI_TRACE=${trace}`, `HOME=${work}`];
	const command = `env -i ${env.map(e => `'${e}'`).join(' ')} '${process.execPath}' '${cliPath}' ui; echo PORT-UI-EXITED $?; sleep 60`;
	tmux('new-session', '-d', '-s', 'ui', '-x', '120', '-y', '40', '-c', repo, command);
	const screen = () => tmux('capture-pane', '-p', '-t', 'ui');
	const waitScreen = async (check, what, timeout = 60_000) => {
		const deadline = Date.now() + timeout;
		while (!check(screen())) {
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${screen()}`);
			await sleep(20);
		}
	};
	try {
		await waitScreen(s => s.includes('q quit'), 'dashboard');
		const pid = dashboardPid();
		// Reference: the same keys with no flood (on a busy machine this shows the floor).
		const idleSent = [];
		for (let i = 0; i < 20; i++) {
			idleSent.push(Date.now());
			execFile('tmux', ['-S', socket, 'send-keys', '-t', 'ui', i % 2 ? 'k' : 'j'], () => {});
			await sleep(40);
		}
		await sleep(300);
		const registered = () => {
			try {
				return JSON.parse(readFileSync(path.join(home, 'registry.json'), 'utf8')).hostServices.length;
			} catch {
				return 0;
			}
		};
		const waitRegistered = async (count, what) => {
			const deadline = Date.now() + 120_000;
			while (registered() < count) {
				if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (${registered()}/${count} registered)\n${screen()}`);
				await sleep(50);
			}
		};
		tmux('send-keys', '-t', 'ui', 'A');
		await waitRegistered(idleServices, 'the declared services (A)');
		tmux('send-keys', '-t', 'ui', 'a');
		await waitScreen(s => s.includes('Logical port:'), 'launch form');
		// Typing a port leaves the list of declared services for a free-form command.
		tmux('send-keys', '-t', 'ui', '-l', '3000');
		tmux('send-keys', '-t', 'ui', 'Enter');
		tmux('send-keys', '-t', 'ui', '-l', `node ${flood}`);
		// Each round floods 1,000,000 lines; round 2.. restart the service (r), which runs the
		// flood again. During each flood, keys every ~40 ms without waiting for the previous one:
		// each is Tab, which moves the focus between the list and the log pane (a visible change
		// each time that keeps the flooded service's log on screen).
		const sent = [];
		const floodMs = [];
		let lastEnd = '';
		for (let round = 0; round < rounds; round++) {
			const startedAt = Date.now();
			tmux('send-keys', '-t', 'ui', round === 0 ? 'Enter' : 'r');
			let stopKeys = false;
			const keyLoop = (async () => {
				await sleep(150);
				while (!stopKeys) {
					sent.push(Date.now());
					execFile('tmux', ['-S', socket, 'send-keys', '-t', 'ui', 'Tab'], () => {});
					await sleep(40);
				}
			})();
			const deadline = Date.now() + 120_000;
			let seenAt;
			while (Date.now() < deadline) {
				const end = new RegExp(`FLOOD-END ${lines} pid \\d+`).exec(screen())?.[0];
				if (end && end !== lastEnd) {
					lastEnd = end;
					seenAt = Date.now();
					break;
				}
				await sleep(20);
			}
			stopKeys = true;
			await keyLoop;
			if (!seenAt) throw new Error(`the flood's last line never appeared (round ${round + 1})\n${screen()}`);
			floodMs.push(seenAt - startedAt);
			await sleep(400);
		}
		const floodPeakRssMB = vmHwmMB(pid);
		// The merged view: 5 services in the other worktree, 10,000 lines/s each, its row shown.
		await waitRegistered(idleServices + 1, 'the flood service');
		// The Tab keys may have left the focus in the log pane: back to the list, then its last row.
		if (screen().includes('PgUp/PgDn scroll')) tmux('send-keys', '-t', 'ui', 'Tab');
		await waitScreen(s => s.includes('↑↓ select'), 'list focused');
		tmux('send-keys', '-t', 'ui', 'G');
		await waitScreen(s => /› .*idle19/.test(s), 'last row (a declared row of the other worktree)');
		for (let i = 0; i < mergedServices; i++) {
			tmux('send-keys', '-t', 'ui', 'a');
			await waitScreen(s => s.includes('Launch in other'), 'launch form in the other worktree');
			tmux('send-keys', '-t', 'ui', '-l', String(4000 + i));
			tmux('send-keys', '-t', 'ui', 'Enter');
			tmux('send-keys', '-t', 'ui', '-l', `node ${rate} svc${i}`);
			tmux('send-keys', '-t', 'ui', 'Enter');
			await waitRegistered(idleServices + 2 + i, `merged service ${i + 1}`);
			await waitScreen(s => !s.includes('Launch in other'), 'form closed');
		}
		const mergedStartedAt = Date.now();
		// From the last service's row up to the worktree's row: its merged view.
		for (let i = 0; i < mergedServices; i++) tmux('send-keys', '-t', 'ui', 'k');
		await waitScreen(s => s.includes('other: all services') && /:400\d +\| svc\d request \d+/.test(s), 'merged view of the other worktree');
		const mergedSent = [];
		while (Date.now() - mergedStartedAt < mergedSeconds * 1000) {
			mergedSent.push(Date.now());
			execFile('tmux', ['-S', socket, 'send-keys', '-t', 'ui', 'Tab'], () => {});
			await sleep(40);
		}
		await sleep(300);
		const mergedScreen = screen();

		const peakRssMB = vmHwmMB(pid);
		const childMs = readFileSync(path.join(work, 'child-done'), 'utf8').trim().split('\n').map(Number);
		tmux('send-keys', '-t', 'ui', 'q');
		await waitScreen(s => s.includes('[s] stop them'), 'quit dialog', 10_000);
		tmux('send-keys', '-t', 'ui', 's');
		await waitScreen(s => s.includes('PORT-UI-EXITED 0'), 'exit', 20_000);

		const events = readFileSync(trace, 'utf8').trim().split('\n').map(l => {
			const [what, at] = [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))];
			return {what, at};
		});
		const keyTimes = events.filter(e => e.what.startsWith('key')).map(e => e.at);
		const frameTimes = events.filter(e => e.what === 'frame').map(e => e.at);
		const latencyOf = sentTimes => {
			const out = [];
			for (const t of sentTimes) {
				const received = keyTimes.find(k => k >= t - 5);
				if (received === undefined) continue;
				const frame = frameTimes.find(f => f >= received);
				if (frame !== undefined) out.push(frame - t);
			}
			return out.sort((a, b) => a - b);
		};
		const latencies = latencyOf(sent);
		const idle = latencyOf(idleSent);
		const merged = latencyOf(mergedSent);
		const result = {
			lines,
			rounds,
			floodMs,
			childWriteMs: childMs,
			peakRssMB: Math.round(peakRssMB * 10) / 10,
			peakRssAfterFloodMB: Math.round(floodPeakRssMB * 10) / 10,
			keyToFrameMs: {n: latencies.length, sent: sent.length, median: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), max: latencies.at(-1)},
			idleKeyToFrameMs: {n: idle.length, median: quantile(idle, 0.5), p95: quantile(idle, 0.95)},
			services: idleServices + 1 + mergedServices,
			idleServices: hasBusybox ? 'busybox httpd (listening)' : 'sleep (never listening)',
			mergedKeyToFrameMs: {services: mergedServices, linesPerSecondEach: mergedRate, n: merged.length, sent: mergedSent.length, median: quantile(merged, 0.5), p95: quantile(merged, 0.95), max: merged.at(-1)},
			mergedViewShown: /:400\d +\| svc\d request/.test(mergedScreen),
			loadAverage: os.loadavg()[0],
			frames: frameTimes.length,
			budgets,
		};
		const ok = result.peakRssMB < budgets.peakRssMB && result.keyToFrameMs.p95 < budgets.keyToFrameMs && latencies.length > 0 && merged.length > 0 && result.mergedKeyToFrameMs.p95 < budgets.keyToFrameMs;
		if (asJson) process.stdout.write(`${JSON.stringify({...result, ok}, null, 2)}\n`);
		else {
			process.stdout.write(
				[
					`port ui flood: ${lines.toLocaleString('en')} lines into one of ${idleServices + 1} dashboard-owned services (the idle ones: ${result.idleServices})`,
					`  flood shown in full after   ${result.floodMs.join(' / ')} ms (${rounds} rounds; the child wrote it in ${result.childWriteMs.join(' / ')} ms)`,
					`  dashboard peak RSS          ${result.peakRssMB} MB (${result.peakRssAfterFloodMB} MB before the merged phase; budget < ${budgets.peakRssMB} MB)`,
					`  key -> next frame           median ${result.keyToFrameMs.median.toFixed(1)} ms, p95 ${result.keyToFrameMs.p95.toFixed(1)} ms, max ${result.keyToFrameMs.max?.toFixed(1)} ms over ${latencies.length}/${sent.length} keys (budget < ${budgets.keyToFrameMs} ms)`,
					`  merged view, ${mergedServices} x ${mergedRate.toLocaleString('en')} lines/s  key -> frame median ${result.mergedKeyToFrameMs.median.toFixed(1)} ms, p95 ${result.mergedKeyToFrameMs.p95.toFixed(1)} ms, max ${result.mergedKeyToFrameMs.max?.toFixed(1)} ms over ${merged.length}/${mergedSent.length} keys (budget < ${budgets.keyToFrameMs} ms)`,
					`  same keys without a flood   median ${result.idleKeyToFrameMs.median.toFixed(1)} ms, p95 ${result.idleKeyToFrameMs.p95.toFixed(1)} ms (machine load average ${result.loadAverage.toFixed(1)} on ${os.cpus().length} cores)`,
					`  ${ok ? 'within budget' : 'OVER BUDGET'}`,
				].join('\n') + '\n',
			);
		}
		return ok ? 0 : 1;
	} finally {
		try {
			tmux('kill-server');
		} catch {}
		rmSync(work, {recursive: true, force: true});
	}
}

main().then(
	code => process.exit(code),
	error => {
		process.stderr.write(`ui-flood: ${error.stack ?? error}\n`);
		process.exit(2);
	},
);
