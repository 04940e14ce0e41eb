import {chmodSync, existsSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {finished, initializedRepo, port, readRegistryFile, startPort, type CliEnv} from './helpers/cli.js';
import {git, pathWith, runCleanups, tempDir, waitFor} from './helpers/env.js';

afterEach(() => runCleanups());

const setup = initializedRepo;

/** Writes an executable hook: a shell script that records its environment and cwd in `out`. */
function hook(repo: string, name: string, body: string): void {
	const file = path.join(repo, '.port', 'hooks', name);
	writeFileSync(file, `#!/bin/sh\n${body}\n`);
	chmodSync(file, 0o755);
}

const recordEnv = (out: string) =>
	`printf '%s\\n' "root=$PORT_ROOT_PATH" "path=$PORT_WORKTREE_PATH" "branch=$PORT_BRANCH" "name=$PORT_WORKTREE" "domain=$PORT_DOMAIN" "cwd=$PWD" > '${out}'`;

describe('hooks', () => {
	it('port init writes commented examples that are inert (not executable, not named like a hook)', async () => {
		const {repo, env} = await setup();
		for (const name of ['post-create.sample', 'post-up.sample']) {
			const file = path.join(repo, '.port', 'hooks', name);
			expect(readFileSync(file, 'utf8')).toContain('# port ');
			expect(statSync(file).mode & 0o111).toBe(0);
		}
		const tree = await port(['enter', 'feat/plain'], repo, env);
		expect(tree.code, tree.stderr).toBe(0);
		const list = await port(['hook', '--list'], repo, env);
		expect(list.stdout).toMatch(/post-create\.sample\s+example \(inert\)/);
		// Running init again keeps the user's edits.
		writeFileSync(path.join(repo, '.port', 'hooks', 'post-up.sample'), 'mine\n');
		expect((await port(['init'], repo, env)).stdout).toContain('kept     .port/hooks/post-up.sample');
		expect(readFileSync(path.join(repo, '.port', 'hooks', 'post-up.sample'), 'utf8')).toBe('mine\n');
	});

	it('post-create runs in the new worktree with the PORT_* environment; its output goes to stderr and a log', async () => {
		const {repo, env} = await setup();
		const out = path.join(tempDir(), 'env.txt');
		hook(repo, 'post-create', `${recordEnv(out)}\necho created-by-hook`);
		const result = await port(['enter', 'feat/login'], repo, env);
		expect(result.code, result.stderr).toBe(0);
		const dir = path.join(repo, '.port', 'trees', 'feat-login');
		expect(result.stdout).toBe(`${dir}\n`); // scripts' cd "$(port enter x)" stays clean
		expect(result.stderr).toContain('created-by-hook');
		expect(readFileSync(out, 'utf8')).toBe(`root=${repo}\npath=${dir}\nbranch=feat/login\nname=feat-login\ndomain=port\ncwd=${dir}\n`);
		const list = await port(['hook', '--list'], dir, env);
		const log = /log: (\S+)/.exec(list.stdout)?.[1];
		expect(log && readFileSync(log, 'utf8')).toContain('created-by-hook');
		// Entering an existing worktree does not run it again.
		writeFileSync(out, '');
		expect((await port(['enter', 'feat/login'], repo, env)).code).toBe(0);
		expect(readFileSync(out, 'utf8')).toBe('');
	});

	it('a failing post-create removes the half-made worktree (and the branch it made) and says so, exit 1', async () => {
		const {repo, env} = await setup();
		hook(repo, 'post-create', 'echo "npm ci failed" >&2\ntouch made-by-hook\nexit 3');
		const failed = await port(['enter', 'feat/broken'], repo, env);
		expect(failed.code).toBe(1);
		expect(failed.stdout).toBe('');
		expect(failed.stderr).toContain('npm ci failed');
		expect(failed.stderr).toContain(`port: post-create hook failed (exit 3): removed the new worktree ${path.join(repo, '.port', 'trees', 'feat-broken')} and branch feat/broken.`);
		expect(existsSync(path.join(repo, '.port', 'trees', 'feat-broken'))).toBe(false);
		expect(git(repo, 'branch', '--list', 'feat/broken').trim()).toBe('');
		expect(git(repo, 'worktree', 'list', '--porcelain')).not.toContain('feat-broken');
		const log = /Its output is in (\S+);/.exec(failed.stderr)?.[1];
		expect(readFileSync(log!, 'utf8')).toContain('npm ci failed');
		// A branch that existed before is kept: only the worktree goes.
		git(repo, 'branch', 'existing');
		const kept = await port(['enter', 'existing'], repo, env);
		expect(kept.code).toBe(1);
		expect(kept.stderr).toContain('removed the new worktree');
		expect(git(repo, 'branch', '--list', 'existing').trim()).toBe('existing');
		// A hook that cannot even start (its interpreter is missing) counts as failed (126): the worktree goes too.
		const file = path.join(repo, '.port', 'hooks', 'post-create');
		writeFileSync(file, '#!/nonexistent/interpreter\necho never\n');
		chmodSync(file, 0o755);
		const noShebang = await port(['enter', 'feat/noexec'], repo, env);
		expect(noShebang.code).toBe(1);
		expect(noShebang.stderr).toContain('port: could not run hook post-create: ');
		expect(noShebang.stderr).toContain('port: post-create hook failed (exit 126)');
		expect(existsSync(path.join(repo, '.port', 'trees', 'feat-noexec'))).toBe(false);
	});

	it('a hook without the executable bit is not run, with a note', async () => {
		const {repo, env} = await setup();
		const marker = path.join(tempDir(), 'ran');
		writeFileSync(path.join(repo, '.port', 'hooks', 'post-create'), `#!/bin/sh\ntouch '${marker}'\n`);
		const result = await port(['enter', 'feat/x'], repo, env);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stderr).toContain('hook .port/hooks/post-create is not executable, so it was not run');
		expect(existsSync(marker)).toBe(false);
		const direct = await port(['hook', 'post-create'], repo, env);
		expect(direct.code).toBe(1);
		expect(direct.stderr).toContain('port: Hook .port/hooks/post-create is not executable.');
	});

	it('post-up runs after port up succeeds; a failing one exits 1 and leaves the services up', async () => {
		const {repo, env, fake} = await setup();
		writeFileSync(path.join(repo, 'docker-compose.yml'), 'services:\n  web:\n    image: busybox\n    ports: ["3000:80"]\n');
		const out = path.join(tempDir(), 'env.txt');
		hook(repo, 'post-up', `${recordEnv(out)}\necho migrated`);
		const up = await port(['up'], repo, env);
		expect(up.code, up.stderr).toBe(0);
		expect(up.stderr).toContain('migrated');
		expect(readFileSync(out, 'utf8')).toContain(`branch=main\nname=app\ndomain=port\ncwd=${repo}\n`);
		const upCall = fake.calls().findIndex(c => c[0] === 'compose' && c.includes('up'));
		expect(upCall).toBeGreaterThanOrEqual(0);

		hook(repo, 'post-up', 'echo "seed failed" >&2; exit 7');
		const failing = await port(['up'], repo, env);
		expect(failing.code).toBe(1);
		expect(failing.stderr).toContain('port: post-up hook failed (exit 7); the services are up.');
		expect(readRegistryFile(env.portHome).projects).toHaveLength(1);
		// port hook re-runs it with its exit code; port hook with an unknown name fails (exit 1).
		const again = await port(['hook', 'post-up'], repo, env);
		expect(again.code).toBe(7);
		expect(again.stderr).toContain('seed failed');
		const unknown = await port(['hook', 'nope'], repo, env);
		expect(unknown.code).toBe(1);
		expect(unknown.stderr).toContain('port: Hook .port/hooks/nope does not exist.');
	});

	it('port open runs post-up, else opens the first URL with $BROWSER; nothing up is exit 1', async () => {
		const {repo, env} = await setup();
		const opened = path.join(tempDir(), 'opened.txt');
		const browser = path.join(tempDir(), 'browser');
		writeFileSync(browser, `#!/bin/sh\necho "$1" >> '${opened}'\n`);
		chmodSync(browser, 0o755);
		const withBrowser: CliEnv = {...env, extra: {BROWSER: browser}};
		const nothing = await port(['open'], repo, withBrowser);
		expect(nothing.code).toBe(1);
		expect(nothing.stderr).toContain('port: Nothing of app is up: no URL to open.');

		writeFileSync(path.join(repo, 'docker-compose.yml'), 'services:\n  web:\n    image: busybox\n    ports: ["3000:80"]\n  api:\n    image: busybox\n    ports: ["4000:80"]\n');
		expect((await port(['up'], repo, env)).code).toBe(0);
		const first = await port(['open'], repo, withBrowser);
		expect(first.code, first.stderr).toBe(0);
		expect(readFileSync(opened, 'utf8')).toBe('http://app.port:3000\n');

		hook(repo, 'post-up', `echo hook-opened >> '${opened}'`);
		const viaHook = await port(['open'], repo, withBrowser);
		expect(viaHook.code, viaHook.stderr).toBe(0);
		expect(readFileSync(opened, 'utf8')).toBe('http://app.port:3000\nhook-opened\n');
	});
});

describe('port open with $BROWSER as the convention reads it', () => {
	it('tries each ":"-separated candidate (missing, failing, then one that works); %s is the URL, else it is appended; no shell', async () => {
		const {repo, env} = await setup();
		writeFileSync(path.join(repo, 'docker-compose.yml'), 'services:\n  web:\n    image: busybox\n    ports: ["3000:80"]\n');
		expect((await port(['up'], repo, env)).code).toBe(0);
		const bin = tempDir();
		const opened = path.join(tempDir(), 'opened.txt');
		// Records its own name and each argument on one line.
		const fake = (name: string, code = 0) => {
			writeFileSync(path.join(bin, name), `#!/bin/sh\nprintf '%s' '${name}' >> '${opened}'\nfor a in "$@"; do printf ' [%s]' "$a" >> '${opened}'; done\necho >> '${opened}'\nexit ${code}\n`);
			chmodSync(path.join(bin, name), 0o755);
		};
		fake('failing', 3);
		fake('fakefox');
		const withBrowser = (browser: string): CliEnv => ({...env, extra: {BROWSER: browser, PATH: `${bin}${path.delimiter}${pathWith(env.dockerBin)}`}});

		const placeholder = await port(['open'], repo, withBrowser('no-such-browser-xyz:failing --x:fakefox --new-tab %s;x'));
		expect(placeholder.code, placeholder.stderr).toBe(0);
		expect(readFileSync(opened, 'utf8')).toBe('failing [--x] [http://app.port:3000]\nfakefox [--new-tab] [http://app.port:3000;x]\n');

		writeFileSync(opened, '');
		const appended = await port(['open'], repo, withBrowser('fakefox  --private'));
		expect(appended.code, appended.stderr).toBe(0);
		expect(readFileSync(opened, 'utf8')).toBe('fakefox [--private] [http://app.port:3000]\n');

		const none = await port(['open'], repo, withBrowser('no-such-browser-xyz:failing'));
		expect(none.code).toBe(1);
		expect(none.stderr).toMatch(/^port: Could not open http:\/\/app\.port:3000 with BROWSER \(no-such-browser-xyz not found; failing exited 3\)\.\n/);
	});
});

describe('an interrupted post-create', () => {
	it('SIGTERM to port ends the hook and still removes the worktree (exit 1)', async () => {
		const {repo, env} = await setup();
		const started = path.join(tempDir(), 'started');
		hook(repo, 'post-create', `touch '${started}'\nsleep 30 &\nwait $!`);
		const child = startPort(['enter', 'feat/slow'], repo, env);
		await waitFor(() => existsSync(started), {what: 'the hook to start'});
		child.kill('SIGTERM');
		const result = await finished(child);
		expect(result.code, result.stderr).toBe(1);
		expect(result.stderr).toMatch(/post-create hook failed \(exit 143\): removed the new worktree/);
		expect(existsSync(path.join(repo, '.port', 'trees', 'feat-slow'))).toBe(false);
		expect(git(repo, 'branch', '--list', 'feat/slow').trim()).toBe('');
	});
});
