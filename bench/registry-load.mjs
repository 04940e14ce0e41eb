// Benchmark 3, registry under load: 100 `port run` started at once in 10 worktrees (10 logical
// ports each). Reports the time until all 100 are registered; budget: 0 lost, 0 duplicates.
// Then all are stopped (SIGTERM to every `port run`): 0 entries, 0 route files, 0 processes.
// Reference: 100 `port --version` started at once, i.e. what starting 100 node processes costs
// on this machine by itself.
import {spawn} from 'node:child_process';
import {cliPath, fakeDocker, fmt, isMain, makeRepo, now, portEnv, processesWith, readRegistry, routeFiles, runStandalone, startPort, tempDir, waitFor} from './lib.mjs';

const worktrees = 10;
const perWorktree = 10;

async function reference(env, cwd) {
	const start = now();
	await Promise.all(
		Array.from({length: worktrees * perWorktree}, () => new Promise(resolve => spawn(process.execPath, [cliPath, '--version'], {cwd, env, stdio: 'ignore'}).once('close', resolve))),
	);
	return now() - start;
}

export async function run({rounds = Number(process.env.BENCH_LOAD_ROUNDS) || 3} = {}) {
	const results = [];
	const referenceMs = [];
	const problems = [];
	for (let round = 0; round < rounds; round++) {
		const portHome = tempDir('port-bench-home-');
		const env = portEnv(portHome, fakeDocker());
		const {trees} = makeRepo(worktrees, env);
		referenceMs.push(await reference(env, trees[0]));
		// A marker in every child's command line finds leaked processes (sleep accepts fractions).
		const marker = `86399.${String(process.pid).slice(-3)}${round}${Math.floor(Math.random() * 1e4)}`;
		const start = now();
		const runners = [];
		for (const tree of trees) {
			for (let p = 0; p < perWorktree; p++) runners.push(startPort(['run', String(3000 + p), '--', 'sleep', marker], tree, env));
		}
		const total = worktrees * perWorktree;
		let registeredMs;
		try {
			await waitFor(() => readRegistry(portHome).hostServices.length >= total || runners.some(r => r.exitCode !== null), {timeout: 120_000, interval: 5, what: `${total} registrations`});
			registeredMs = now() - start;
		} catch (error) {
			problems.push(String(error));
		}
		const registry = readRegistry(portHome);
		const services = registry.hostServices;
		const keys = new Set(services.map(s => `${s.branch}:${s.logicalPort}`));
		const ids = new Set(services.map(s => s.id));
		const ports = new Set(services.map(s => s.actualPort));
		const failed = runners.filter(r => r.exitCode !== null);
		const lost = total - keys.size;
		const duplicates = services.length - keys.size + (services.length - ids.size) + (services.length - ports.size);
		const routesWhileRunning = routeFiles(portHome).length;
		// Stop them all at once.
		const stopStart = now();
		for (const r of runners) r.kill('SIGTERM');
		await Promise.all(runners.map(r => r.ended));
		const stoppedMs = now() - stopStart;
		await new Promise(resolve => setTimeout(resolve, 200));
		const after = {entries: readRegistry(portHome).hostServices.length, routes: routeFiles(portHome).length, processes: processesWith(marker).length};
		results.push({registeredMs, lost, duplicates, failed: failed.length, routesWhileRunning, stoppedMs, after, exitCodes: [...new Set(runners.map(r => r.exitCode))]});
		if (failed.length > 0) problems.push(`round ${round + 1}: ${failed.length} port run exited early, e.g. ${failed[0].output.trim().split('\n').at(-1)}`);
	}
	const ok = results.every(r => r.registeredMs !== undefined && r.lost === 0 && r.duplicates === 0 && r.failed === 0 && r.after.entries === 0 && r.after.routes === 0 && r.after.processes === 0);
	return {
		key: 'registry-load',
		title: '3. Registry under load',
		description: `${worktrees * perWorktree} \`port run <port> -- sleep\` started at once in ${worktrees} worktrees (${perWorktree} logical ports each), ${rounds} rounds; then all stopped with SIGTERM.`,
		header: ['round', 'all registered (ms)', 'reference: 100x port --version (ms)', 'lost', 'duplicates', 'route files', 'stop all (ms)', 'left after stop: entries / routes / processes'],
		rows: results.map((r, i) => [String(i + 1), fmt(r.registeredMs), fmt(referenceMs[i]), String(r.lost), String(r.duplicates), String(r.routesWhileRunning), fmt(r.stoppedMs), `${r.after.entries} / ${r.after.routes} / ${r.after.processes}`]),
		budgets: [{text: '0 lost, 0 duplicates; after stopping: 0 entries, 0 route files, 0 processes (every round)', met: ok}],
		notes: problems,
		summary: {results, referenceMs},
	};
}

if (isMain(import.meta.url)) await runStandalone({run});
