// Prompts never block without a terminal: every command, run with stdin closed (/dev/null) and
// with stdin an open pipe that never sends anything, and CI=true, completes or fails fast with a
// message (no stack trace). The state that would trigger a prompt is set up first: a running
// service for `port run` (replace?), host services for `port down` (stop them too?), a dirty
// worktree for `port remove`.
import {spawn} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cliEnv, port, readRegistryFile, startPort, type CliEnv} from '../helpers/cli.js';
import {addWorktree, cliPath, fakeDocker, makeRepo, runCleanups, tempDir, waitFor} from '../helpers/env.js';

let repo: string;
let tree: string;
let env: CliEnv;

beforeAll(async () => {
	repo = makeRepo('app');
	env = {portHome: tempDir('port-home-'), dockerBin: fakeDocker().bin};
	expect((await port(['init'], repo, env)).code).toBe(0);
	writeFileSync(path.join(repo, 'docker-compose.yml'), 'services:\n  web:\n    image: busybox\n    ports: ["3000:8080"]\n');
	tree = addWorktree(repo, 'feature-a');
	writeFileSync(path.join(tree, 'docker-compose.yml'), 'services:\n  web:\n    image: busybox\n    ports: ["3000:8080"]\n');
	writeFileSync(path.join(tree, 'dirty.txt'), 'uncommitted\n');
	// A running service: `port run 3000` again would ask to replace it; `port down` would ask to stop it.
	startPort(['run', '3000', '--', 'sleep', '300'], tree, env);
	await waitFor(() => readRegistryFile(env.portHome).hostServices.length === 1, {what: 'service registered'});
}, 60_000);

afterAll(async () => {
	await port(['kill', '--all'], repo, env);
	await runCleanups();
});

function run(args: string[], cwd: string, stdin: 'ignore' | 'pipe'): Promise<{code: number | null; ms: number; stderr: string; stdout: string}> {
	return new Promise(resolve => {
		const start = Date.now();
		const child = spawn(process.execPath, [cliPath, ...args], {cwd, env: cliEnv(env), stdio: [stdin, 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout!.on('data', d => (stdout += d));
		child.stderr!.on('data', d => (stderr += d));
		const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
		child.once('close', code => {
			clearTimeout(timer);
			resolve({code, ms: Date.now() - start, stderr, stdout});
		});
	});
}

// [args, cwd, expected exit codes, expected message (stdout or stderr)]
const commands: Array<[string[], () => string, number[], RegExp]> = [
	[['run', '3000', '--', 'sleep', '1'], () => tree, [4], /Service already running for feature-a:3000\..*\n.*--replace/],
	[['run', '3001', '--', 'sleep', '0.5'], () => tree, [0], /feature-a:3001 -> http:\/\/feature-a\.port:3001/],
	[['init'], () => repo, [0], /config\.jsonc/],
	[['list'], () => tree, [0], /feature-a:3000/],
	[['kill', '4000'], () => tree, [0], /No host services to stop on port 4000/],
	[['enter', 'feature-b'], () => repo, [0], /feature-b/],
	[['shell-hook', 'bash'], () => repo, [0], /port/],
	[['up'], () => repo, [0], /app\.port:3000/],
	[['status'], () => repo, [0], /web/],
	[['urls'], () => repo, [0], /http:\/\/app\.port:3000/],
	[['compose', 'ps'], () => repo, [0], /^/],
	[['down'], () => tree, [0], /host service.*running.*(not|no|keep|left)/is],
	[['remove', 'feature-a'], () => repo, [1, 3, 4], /uncommitted|dirty|--force/i],
	[['ui'], () => repo, [2], /needs an interactive terminal/],
	[['--help'], () => repo, [0], /Usage/],
	[['run', '--help'], () => repo, [0], /port run <logical-port>/],
];

describe('no terminal: nothing waits on stdin', () => {
	for (const stdin of ['ignore', 'pipe'] as const) {
		it.each(commands.map(c => [c[0].join(' '), ...c] as const))(`${stdin === 'ignore' ? 'stdin closed' : 'stdin an idle pipe'}: port %s`, async (_label, args, cwd, codes, message) => {
			const result = await run(args, cwd(), stdin);
			expect(codes, `${args.join(' ')} exited ${result.code}: ${result.stderr}`).toContain(result.code);
			expect(result.ms).toBeLessThan(12_000);
			expect(`${result.stdout}\n${result.stderr}`).toMatch(message);
			expect(result.stderr).not.toMatch(/^\s+at /m);
			expect(result.stderr).not.toContain('unexpected error');
		});
	}
	it('the service that triggered the prompts is still there (nothing was replaced or stopped by default)', () => {
		const services = readRegistryFile(env.portHome).hostServices;
		expect(services.map(s => `${s.branch}:${s.logicalPort}`)).toContain('feature-a:3000');
	});
});
