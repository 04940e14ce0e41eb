import {execFileSync} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {cliEnv, port, type CliEnv} from './helpers/cli.js';
import {cliPath, git, makeRepo, runCleanups, tempDir} from './helpers/env.js';
import {commandFlags} from '../source/commands/completion.js';
import {commands} from '../source/commands/index.js';

afterEach(() => runCleanups());

/** A `port` on PATH for the scripts' own calls (port completion __services). */
function portOnPath(): string {
	const bin = path.join(tempDir('port-bin-'), 'bin');
	mkdirSync(bin);
	writeFileSync(path.join(bin, 'port'), `#!/bin/sh\nexec "${process.execPath}" "${cliPath}" "$@"\n`, {mode: 0o755});
	return bin;
}

/** Runs the bash completion function for `words` (the last one is being completed) in `cwd`. */
function bashComplete(script: string, words: string[], cwd: string, env: NodeJS.ProcessEnv): string[] {
	const program = `${script}\nCOMP_WORDS=(${words.map(w => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _port_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
	return execFileSync('bash', ['--norc', '-c', program], {cwd, env, encoding: 'utf8'}).split('\n').filter(Boolean);
}

describe('port completion', () => {
	const env = (): CliEnv => ({portHome: tempDir('port-home-')});

	it('bash: loads, registers for port, completes commands, flags, branches and compose services', async () => {
		const e = env();
		const repo = makeRepo('app');
		expect((await port(['init'], repo, e)).code).toBe(0);
		git(repo, 'branch', 'feat/login');
		writeFileSync(path.join(repo, 'docker-compose.yml'), 'services:\n  web:\n    image: busybox\n    ports: ["8080:80"]\n  db:\n    image: busybox\n    ports: ["5433:5432"]\n');
		const result = await port(['completion', 'bash'], repo, e);
		expect(result.code).toBe(0);
		const shellEnv = {...cliEnv(e), PATH: `${portOnPath()}:${cliEnv(e).PATH}`};
		const loaded = execFileSync('bash', ['--norc', '-c', `source <(port completion bash); complete -p port`], {cwd: repo, env: shellEnv, encoding: 'utf8'});
		expect(loaded.trim()).toBe('complete -F _port_complete port');
		expect(bashComplete(result.stdout, ['port', 'un'], repo, shellEnv)).toEqual(['uninstall']);
		expect(bashComplete(result.stdout, ['port', 'fe'], repo, shellEnv)).toEqual(['feat/login']);
		expect(bashComplete(result.stdout, ['port', 'remove', ''], repo, shellEnv).sort()).toEqual(['--force', '--keep-branch', '--yes', 'feat/login', 'main']);
		expect(bashComplete(result.stdout, ['port', 'install', '--d'], repo, shellEnv).sort()).toEqual(['--domain', '--dry-run']);
		expect(bashComplete(result.stdout, ['port', 'urls', ''], repo, shellEnv).sort()).toEqual(['db', 'web']);
		// db publishes Postgres's port: a tcp port of its own, not a logical port to route.
		expect(bashComplete(result.stdout, ['port', 'kill', ''], repo, shellEnv).sort()).toEqual(['--all', '8080']);
		// run and logs take declared service names and logical ports, never compose services.
		const config = path.join(repo, '.port', 'config.jsonc');
		writeFileSync(config, JSON.stringify({services: {front: {port: 3000, command: 'x'}, api: {port: 4000, command: 'y'}}}));
		expect(bashComplete(result.stdout, ['port', 'run', ''], repo, shellEnv).sort()).toEqual(['--no-inject', '--replace', '3000', '4000', 'api', 'front']);
		const forLogs = bashComplete(result.stdout, ['port', 'logs', ''], repo, shellEnv).filter(w => !w.startsWith('--'));
		expect(forLogs.sort()).toEqual(['3000', '4000', 'api', 'front']);
		for (const word of forLogs) {
			// Every candidate is one port logs knows (nothing runs: exit 1, not 2 "Unknown service").
			const logs = await port(['logs', word], repo, e);
			expect(logs.code, word).toBe(1);
			expect(logs.stderr).toContain('No host service running');
		}
		expect(bashComplete(result.stdout, ['port', 'prune', '--'], repo, shellEnv).sort()).toEqual(['--base', '--dry-run', '--yes']);
		expect(bashComplete(result.stdout, ['port', 'hook', ''], repo, shellEnv).sort()).toEqual(['--list', 'post-create', 'post-up']);
		expect(bashComplete(result.stdout, ['port', 'down', ''], repo, shellEnv).sort()).toEqual(['--yes', 'db', 'web']);
		expect(bashComplete(result.stdout, ['port', 'rm', ''], repo, shellEnv).sort()).toEqual(['--force', '--keep-branch', '--yes', 'feat/login', 'main']);
		expect(bashComplete(result.stdout, ['port', 'c'], repo, shellEnv)).toEqual(['cleanup', 'completion', 'compose']);
	});

	it('zsh and fish scripts name every command, the flags and the branch lookup', async () => {
		const e = env();
		const cwd = tempDir();
		const zsh = (await port(['completion', 'zsh'], cwd, e)).stdout;
		expect(zsh.startsWith('#compdef port\n')).toBe(true);
		expect(zsh).toContain('compdef _port port');
		expect(zsh).toContain("git for-each-ref --format='%(refname:short)' refs/heads");
		expect(zsh).toContain('(remove|rm) candidates+=(--force --keep-branch --yes) ;;');
		const fish = (await port(['completion', 'fish'], cwd, e)).stdout;
		expect(fish).toContain('complete -c port -f\n');
		expect(fish).toContain("complete -c port -n '__fish_seen_subcommand_from install' -l dry-run\n");
		expect(fish).toContain("complete -c port -n '__fish_seen_subcommand_from enter remove rm' -a '(git for-each-ref");
		for (const name of Object.keys(commands)) {
			expect(zsh).toMatch(new RegExp(`candidates=\\([^)]*\\b${name}\\b`));
			expect(fish).toMatch(new RegExp(`__fish_use_subcommand -a '[^']*\\b${name}\\b`));
		}
	});

	it("knows every command's flags, as their specs declare them", async () => {
		for (const name of Object.keys(commands)) {
			const {spec} = (await import(`../source/commands/${name}.ts`)) as {spec?: {flags: Record<string, {type?: string; default?: unknown}>}};
			// A boolean that defaults to true is only ever typed as its negation (--no-inject).
			const declared = Object.entries(spec?.flags ?? {}).map(([f, s]) => `--${s.type === 'boolean' && s.default === true ? 'no-' : ''}${f.replace(/[A-Z]/g, c => `-${c.toLowerCase()}`)}`);
			expect(commandFlags[name] ?? [], name).toEqual(declared);
		}
	});

	it('an unknown shell exits 2 with one line', async () => {
		const result = await port(['completion', 'tcsh'], tempDir(), env());
		expect(result.code).toBe(2);
		expect(result.stderr).toBe('port: Unknown shell "tcsh" (known: bash, zsh, fish).\nUsage: port completion <bash|zsh|fish>\n');
	});
});
