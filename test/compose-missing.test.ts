import {existsSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {commitFile, port, readRegistryFile, type CliEnv} from './helpers/cli.js';
import {addWorktree, fakeDocker, git, makeRepo, runCleanups, tempDir} from './helpers/env.js';

// Docker 28 without the Compose plugin (checked against the real CLI): `docker compose -p x ...`
// is read as `docker -p` (exit 125, usage text), `docker compose version` is an unknown command.
const noComposePlugin = `if [ "$1" = compose ]; then
  case "$2" in
    -*) printf "unknown shorthand flag: '%s' in %s\\n\\nUsage:  docker [OPTIONS] COMMAND [ARG...]\\n\\nRun 'docker --help' for more information\\n" "\${2#-}" "$2" >&2; exit 125;;
    *) printf "docker: unknown command: docker compose\\n\\nRun 'docker --help' for more information\\n" >&2; exit 1;;
  esac
fi`;

// Debian's docker.io 20.10 without the plugin: docker parses every flag as its own first, so
// `docker compose version --short` fails on --short (exit 125); with no flag, compose is unknown.
const debianNoPlugin = `if [ "$1" = compose ]; then
  for a in "$@"; do
    case "$a" in
      --*) printf "unknown flag: %s\\nSee 'docker --help'.\\n" "\${a%%=*}" >&2; exit 125;;
      -*) printf "unknown shorthand flag: '%s' in %s\\nSee 'docker --help'.\\n" "$(printf %s "\${a#-}" | cut -c1)" "$a" >&2; exit 125;;
    esac
  done
  printf "docker: 'compose' is not a docker command.\\nSee 'docker --help'\\n" >&2; exit 1
fi`;

const composeText = `services:
  web:
    image: port-test/busybox:local
    ports: ["3917:8080"]
`;

const ourLines = ['port: Docker Compose v2 is not installed (`docker compose` is not available).', 'Install the Compose v2 plugin (docker-compose-plugin).'];

afterEach(() => runCleanups());

async function setup(script = noComposePlugin) {
	const repo = makeRepo('app');
	writeFileSync(path.join(repo, 'docker-compose.yml'), composeText);
	const missing = fakeDocker({script, traefikRunning: false});
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

describe('Docker 20.10 without the Compose plugin ("unknown flag: --short")', () => {
	it('port remove, prune and rename --yes of worktrees that never ran compose work (exit 0)', async () => {
		const {repo, tree, env, missing} = await setup(debianNoPlugin);
		const renamed = await port(['rename', 'feature-b', '--yes'], tree, env);
		expect(renamed.code, renamed.stderr).toBe(0);
		expect(renamed.stderr).not.toMatch(/compose|docker/i);
		const moved = renamed.stdout.trim().split('\n').at(-1)!;
		writeFileSync(path.join(repo, '.git', 'info', 'exclude'), 'docker-compose.yml\n'); // not a change that blocks prune
		commitFile(moved, 'b.txt');
		git(repo, 'merge', '-q', '--no-ff', '-m', 'merge', 'feature-b');
		const pruned = await port(['prune', '--yes'], repo, env);
		expect(pruned.code, pruned.stderr).toBe(0);
		expect(pruned.stderr).toBe('');
		expect(existsSync(moved)).toBe(false);
		expect(missing.calls().filter(c => c.join(' ') === 'compose version --short').length).toBeGreaterThan(0);
		const other = addWorktree(repo, 'feature-c');
		const removed = await port(['remove', 'feature-c', '--force'], repo, env);
		expect(removed.code, removed.stderr).toBe(0);
		expect(removed.stderr).toBe('');
		expect(existsSync(other)).toBe(false);
	});

	it('port down of a registered worktree and port compose ps: our one line and hint, exit 5', async () => {
		const {tree, env} = await setup(debianNoPlugin);
		expect((await port(['up'], tree, {...env, dockerBin: fakeDocker().bin})).code).toBe(0);
		const down = await port(['down'], tree, env);
		expect(down.code).toBe(5);
		expect(down.stderr.trim().split('\n')).toEqual(ourLines);
		const ps = await port(['compose', 'ps'], tree, env);
		expect(ps.code).toBe(5);
		expect(ps.stderr.trim().split('\n')).toEqual(ourLines);
	});
});
