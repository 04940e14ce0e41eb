import {existsSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {port, readRegistryFile, type CliEnv} from './helpers/cli.js';
import {addWorktree, fakeDocker, makeRepo, runCleanups, tempDir} from './helpers/env.js';

// Docker 28 without the Compose plugin (checked against the real CLI): `docker compose -p x ...`
// is read as `docker -p` (exit 125, usage text), `docker compose version` is an unknown command.
const noComposePlugin = `if [ "$1" = compose ]; then
  case "$2" in
    -*) printf "unknown shorthand flag: '%s' in %s\\n\\nUsage:  docker [OPTIONS] COMMAND [ARG...]\\n\\nRun 'docker --help' for more information\\n" "\${2#-}" "$2" >&2; exit 125;;
    *) printf "docker: unknown command: docker compose\\n\\nRun 'docker --help' for more information\\n" >&2; exit 1;;
  esac
fi`;

const composeText = `services:
  web:
    image: port-test/busybox:local
    ports: ["3917:8080"]
`;

const ourLines = ['port: Docker Compose v2 is not installed (`docker compose` is not available).', 'Install the Compose v2 plugin (docker-compose-plugin).'];

afterEach(() => runCleanups());

async function setup() {
	const repo = makeRepo('app');
	writeFileSync(path.join(repo, 'docker-compose.yml'), composeText);
	const missing = fakeDocker({script: noComposePlugin, traefikRunning: false});
	const env: CliEnv = {portHome: tempDir('port-home-'), dockerBin: missing.bin};
	expect((await port(['init'], repo, env)).code).toBe(0);
	const tree = addWorktree(repo, 'feature-a');
	writeFileSync(path.join(tree, 'docker-compose.yml'), composeText);
	return {repo, tree, env, missing};
}

describe('Docker present, Compose plugin missing', () => {
	it('port remove of a worktree that never ran compose works (exit 0, no compose call needed)', async () => {
		const {repo, tree, env} = await setup();
		const result = await port(['remove', 'feature-a', '--force'], repo, env);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toContain('removed worktree .port/trees/feature-a');
		expect(result.stdout).not.toContain('stopped compose project');
		expect(result.stderr).toBe('');
		expect(existsSync(tree)).toBe(false);
	});

	it('port down of an unregistered worktree says it is down, without docker usage text', async () => {
		const {tree, env} = await setup();
		const result = await port(['down'], tree, env);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toContain('is down (it was not registered as up)');
		expect(result.stderr).toBe('');
	});

	it('port down / port remove of a registered worktree: our one line and hint, exit 5, nothing lost', async () => {
		const {repo, tree, env} = await setup();
		const working = fakeDocker();
		expect((await port(['up'], tree, {...env, dockerBin: working.bin})).code).toBe(0);
		const down = await port(['down'], tree, env);
		expect(down.code).toBe(5);
		expect(down.stderr.trim().split('\n')).toEqual(ourLines);
		const remove = await port(['remove', 'feature-a', '--force'], repo, env);
		expect(remove.code).toBe(5);
		expect(remove.stderr.trim().split('\n')).toEqual(ourLines);
		expect(existsSync(tree)).toBe(true);
		expect(readRegistryFile(env.portHome).projects).toHaveLength(1);
	});

	it('port compose ps and port up: our one line and hint, exit 5, no docker text', async () => {
		const {tree, env, missing} = await setup();
		const ps = await port(['compose', 'ps'], tree, env);
		expect(ps.code).toBe(5);
		expect(ps.stderr.trim().split('\n')).toEqual(ourLines);
		expect(ps.stdout).toBe('');
		expect(missing.calls().some(c => c.includes('ps'))).toBe(false);
		const up = await port(['up'], tree, env);
		expect(up.code).toBe(5);
		expect(up.stderr.trim().split('\n')).toEqual(ourLines);
		expect(readRegistryFile(env.portHome).projects).toEqual([]);
	});

	it('port status still works and names the missing plugin per worktree', async () => {
		const {tree, env} = await setup();
		const status = await port(['status', '--json'], tree, env);
		expect(status.code, status.stderr).toBe(0);
		const report = JSON.parse(status.stdout) as {worktrees: Array<{worktree: string; error?: string}>};
		expect(report.worktrees.find(w => w.worktree === 'feature-a')?.error).toBe('Docker Compose v2 is not installed (`docker compose` is not available).');
	});
});
