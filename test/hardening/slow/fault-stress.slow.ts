// Fault stress: 20 rounds of starting 10 host services and ending them in random ways (SIGINT,
// SIGTERM, SIGHUP or SIGKILL of `port run`, the child crashing, the child exiting by itself,
// `port kill`), with a `port list` after each round. SIGKILL of `port run` leaves its child
// running by design ("orphaned", still listed); those are ended with `port kill --all` at the
// end. Then: 0 registry entries, 0 route files, 0 live processes.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {port, processesWith, readRegistryFile, routeFiles, startPort, type CliEnv} from '../../helpers/cli.js';
import {addWorktree, fakeDocker, makeRepo, runCleanups, tempDir, waitFor} from '../../helpers/env.js';
import {prng} from '../../helpers/prng.js';

const rounds = Number(process.env['STRESS_ROUNDS']) || 20;
const perRound = 10;
const endings = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGKILL', 'child-crash', 'child-exit', 'port-kill'] as const;

let env: CliEnv;
let repo: string;
let trees: string[];
const marker = `300.${process.pid}${Date.now() % 10_000}`;

beforeAll(async () => {
	repo = makeRepo('app');
	env = {portHome: tempDir('port-stress-home-'), dockerBin: fakeDocker().bin, extra: {PORT_STOP_TIMEOUT: '1500'}};
	expect((await port(['init'], repo, env)).code).toBe(0);
	trees = [repo, addWorktree(repo, 'feature-a'), addWorktree(repo, 'feature-b')];
});

afterAll(async () => {
	await port(['kill', '--all'], repo, env);
	for (const pid of processesWith(marker)) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {
			// gone
		}
	}
	await runCleanups();
});

describe('fault stress', () => {
	it(`${rounds} rounds x ${perRound} services ended in random ways leave nothing behind`, async () => {
		const random = prng(424_242);
		const tally: Record<string, number> = {};
		const codes: Record<string, Set<number | string>> = {};
		let orphans = 0;
		for (let round = 0; round < rounds; round++) {
			const started = Array.from({length: perRound}, (_, i) => {
				const cwd = trees[i % trees.length]!;
				const logical = 3000 + round * perRound + i;
				const ending = endings[Math.floor(random() * endings.length)]!;
				// Half of the children wrap the real process in a shell (a grandchild to clean up too).
				const wrapped = random() < 0.5;
				const command =
					ending === 'child-exit'
						? ['sh', '-c', 'sleep 0.3; exit 3', marker]
						: wrapped
							? ['sh', '-c', `sleep ${marker} & sleep ${marker}; wait`]
							: ['sleep', marker];
				return {cwd, logical, ending, child: startPort(['run', String(logical), '--', ...command], cwd, env)};
			});
			await waitFor(() => {
				const services = readRegistryFile(env.portHome).hostServices;
				return started.every(s => s.ending === 'child-exit' || services.some(e => e.logicalPort === s.logical && e.pid > 0));
			}, {timeout: 60_000, what: `round ${round + 1} registered`});
			const services = readRegistryFile(env.portHome).hostServices;
			await Promise.all(
				started.map(async s => {
					tally[s.ending] = (tally[s.ending] ?? 0) + 1;
					const entry = services.find(e => e.logicalPort === s.logical);
					switch (s.ending) {
						case 'SIGINT':
						case 'SIGTERM':
						case 'SIGHUP':
						case 'SIGKILL':
							s.child.kill(s.ending);
							if (s.ending === 'SIGKILL') orphans++;
							break;
						case 'child-crash':
							// The child (group leader) dies of SIGKILL: port run exits 137 and cleans up.
							process.kill(-entry!.pid, 'SIGKILL');
							break;
						case 'child-exit':
							break;
						case 'port-kill': {
							const killed = await port(['kill', String(s.logical)], s.cwd, env);
							expect(killed.code, killed.stderr).toBe(0);
							break;
						}
					}
					const end = await new Promise<number | string>(resolve =>
						s.child.exitCode !== null || s.child.signalCode !== null ? resolve(s.child.exitCode ?? s.child.signalCode!) : s.child.once('close', (code, signal) => resolve(code ?? signal!)),
					);
					(codes[s.ending] ??= new Set()).add(end);
				}),
			);
			const listed = await port(['list', '--json'], repo, env);
			expect(listed.code, listed.stderr).toBe(0);
			const left = (JSON.parse(listed.stdout) as {hostServices: Array<{status: string; logicalPort: number}>}).hostServices;
			// Only children of SIGKILLed `port run`s may remain, listed as orphaned.
			expect(left.every(s => s.status === 'orphaned'), JSON.stringify(left)).toBe(true);
			expect(left.length).toBe(orphans);
			expect(routeFiles(env.portHome).length).toBe(orphans);
		}
		// The documented exit codes for each way of ending.
		expect([...(codes['SIGINT'] ?? [])]).toEqual(codes['SIGINT'] ? [130] : []);
		expect([...(codes['SIGTERM'] ?? [])]).toEqual(codes['SIGTERM'] ? [143] : []);
		expect([...(codes['SIGHUP'] ?? [])]).toEqual(codes['SIGHUP'] ? [129] : []);
		expect([...(codes['SIGKILL'] ?? [])]).toEqual(codes['SIGKILL'] ? ['SIGKILL'] : []);
		expect([...(codes['child-crash'] ?? [])]).toEqual(codes['child-crash'] ? [137] : []);
		expect([...(codes['child-exit'] ?? [])]).toEqual(codes['child-exit'] ? [3] : []);
		for (const ending of endings) expect(tally[ending], `ending ${ending} was exercised`).toBeGreaterThan(0);

		// Orphans: `port kill --all` stops them (whole groups).
		const killed = await port(['kill', '--all'], repo, env);
		expect(killed.code, killed.stderr).toBe(0);
		await waitFor(() => processesWith(marker).length === 0, {timeout: 20_000, what: 'no process left'});
		const final = await port(['list', '--json'], repo, env);
		expect(JSON.parse(final.stdout).hostServices).toEqual([]);
		expect(readRegistryFile(env.portHome).hostServices).toEqual([]);
		expect(routeFiles(env.portHome)).toEqual([]);
		expect(processesWith(marker)).toEqual([]);
	});
});
