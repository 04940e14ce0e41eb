import {createHash} from 'node:crypto';
import {existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import getPort from 'get-port';
import {afterEach, describe, expect, it} from 'vitest';
import {composeProjectName} from '../source/core/compose/names.js';
import {finished, isProcessAlive, port, readRegistryFile, startPort, type CliEnv} from './helpers/cli.js';
import {fakeDocker, git, makeRepo, onCleanup, repoDir, runCleanups, tempDir, waitFor} from './helpers/env.js';

afterEach(() => runCleanups());

const server = path.join(repoDir, 'test', 'fixtures', 'server.cjs');

/** On failure too, no server started through `port run` outlives the test (each leads its group). */
function killServicesAtCleanup(env: CliEnv): void {
	onCleanup(() => {
		for (const s of readRegistryFile(env.portHome).hostServices) {
			try {
				process.kill(-s.pid, 'SIGKILL');
			} catch {
				// already gone
			}
		}
	});
}

/** A repository `app` with a worktree made by git itself, beside it: `<parent>/elsewhere` on branch x. */
function setup() {
	const repo = makeRepo('app');
	git(repo, 'worktree', 'add', '-q', '../elsewhere', '-b', 'x');
	const elsewhere = path.join(path.dirname(repo), 'elsewhere');
	const env: CliEnv = {portHome: tempDir('port-home-'), dockerBin: fakeDocker().bin};
	killServicesAtCleanup(env);
	return {repo, elsewhere, env};
}

interface ListedWorktree {
	name: string;
	path: string;
	branch: string | null;
	current: boolean;
	isMain: boolean;
}

async function listed(cwd: string, env: CliEnv): Promise<ListedWorktree[]> {
	const result = await port(['list', '--json'], cwd, env);
	expect(result.code, result.stderr).toBe(0);
	return (JSON.parse(result.stdout) as {worktrees: ListedWorktree[]}).worktrees;
}

/** Every path under `dirs` with a hash of each file's content: equal snapshots = nothing written. */
function snapshot(...dirs: string[]): string[] {
	return dirs.flatMap(dir =>
		(readdirSync(dir, {recursive: true}) as string[]).sort().map(rel => {
			const file = path.join(dir, rel);
			return lstatSync(file).isFile() ? `${file} ${createHash('sha256').update(readFileSync(file)).digest('hex')}` : `${file}/`;
		}),
	);
}

describe('a worktree outside .port/trees (git worktree add ../elsewhere)', () => {
	it('port list from there marks it current and lists it by its directory name', async () => {
		const {repo, elsewhere, env} = setup();
		const fromThere = await listed(elsewhere, env);
		expect(fromThere).toEqual([
			{name: 'app', path: repo, branch: 'main', isMain: true, current: false},
			{name: 'elsewhere', path: elsewhere, branch: 'x', isMain: false, current: true},
		]);
		expect((await listed(repo, env)).map(w => [w.name, w.current])).toEqual([
			['app', true],
			['elsewhere', false],
		]);
		const text = await port(['list'], path.join(elsewhere), env);
		expect(text.stdout).toMatch(/^ {2}\* elsewhere +x {2}.*elsewhere$/m);
	});

	it('git\'s record of the worktree path through a symlink: still the current worktree, not a clash with itself', async () => {
		const {repo, elsewhere, env} = setup();
		const link = path.join(tempDir(), 'link');
		symlinkSync(path.dirname(elsewhere), link);
		const via = path.join(link, 'elsewhere');
		writeFileSync(path.join(repo, '.git', 'worktrees', 'elsewhere', 'gitdir'), `${path.join(via, '.git')}\n`);
		expect((await listed(elsewhere, env)).find(w => w.name === 'elsewhere')).toMatchObject({path: via, current: true});
		const kill = await port(['kill'], elsewhere, env);
		expect(kill.code, kill.stderr).toBe(0);
	});

	it('port run registers under "elsewhere" while main runs the same logical port; port kill there stops only its own', async () => {
		const {repo, elsewhere, env} = setup();
		const logical = await getPort();
		const tag = `port-test-anywhere-${process.pid}-${Date.now()}`;
		const main = startPort(['run', String(logical), '--', 'node', server, `${tag}-main`], repo, env);
		const mainService = await waitFor(() => readRegistryFile(env.portHome).hostServices.find(s => s.branch === 'app'), {what: 'app registered'});
		const other = startPort(['run', String(logical), '--', 'node', server, `${tag}-else`], path.join(elsewhere), env);
		const otherService = await waitFor(
			() => {
				if (other.exitCode !== null) throw new Error(`port run in elsewhere exited ${other.exitCode}: ${other.output.stderr}`);
				return readRegistryFile(env.portHome).hostServices.find(s => s.branch === 'elsewhere');
			},
			{what: 'elsewhere registered'},
		);
		expect(otherService).toMatchObject({repo, branch: 'elsewhere', logicalPort: logical});
		await waitFor(() => other.output.stderr.includes(`http://elsewhere.port:${logical}`), {what: 'the URL of elsewhere'});

		const killed = await port(['kill'], elsewhere, env);
		expect(killed.code, killed.stderr).toBe(0);
		expect(killed.stdout).toContain(`elsewhere:${logical}`);
		await finished(other);
		expect(isProcessAlive(otherService.pid)).toBe(false);
		expect(readRegistryFile(env.portHome).hostServices.map(s => s.branch)).toEqual(['app']);
		expect(isProcessAlive(mainService.pid)).toBe(true);

		main.kill('SIGINT');
		expect((await finished(main)).code).toBe(130);
	});

	it('port up there writes its own override and starts its own Compose project, not main\'s', async () => {
		const {repo, elsewhere, env} = setup();
		const fake = fakeDocker();
		const published = await getPort();
		const compose = `services:\n  web:\n    image: port-test/busybox:local\n    ports: ["${published}:8080"]\n`;
		for (const dir of [repo, elsewhere]) writeFileSync(path.join(dir, 'docker-compose.yml'), compose);
		expect((await port(['init'], repo, env)).code).toBe(0);
		const up = await port(['up'], elsewhere, {...env, dockerBin: fake.bin});
		expect(up.code, up.stderr).toBe(0);
		expect(up.stdout).toContain(`http://elsewhere.port:${published}`);
		const override = path.join(elsewhere, '.port', 'override.yml');
		expect(readFileSync(override, 'utf8')).toContain('Host(`elsewhere.port`)');
		expect(existsSync(path.join(repo, '.port', 'override.yml'))).toBe(false);
		const name = composeProjectName(repo, 'elsewhere');
		expect(fake.calls().find(c => c.at(-2) === 'up' && c.includes(name))).toEqual(['compose', '-p', name, '-f', path.join(elsewhere, 'docker-compose.yml'), '-f', override, 'up', '-d']);
		expect(fake.calls().some(c => c.includes(composeProjectName(repo, 'app')))).toBe(false);
		// git ignores the override there too (the exclude file is shared by every worktree).
		expect(git(elsewhere, 'status', '--porcelain')).not.toContain('.port');
	});

	it('port remove <branch> removes a worktree outside .port/trees', async () => {
		const {repo, elsewhere, env} = setup();
		expect((await port(['init'], repo, env)).code).toBe(0);
		const removed = await port(['remove', 'x', '--keep-branch'], repo, {...env, dockerBin: undefined});
		expect(removed.code, removed.stderr).toBe(0);
		expect(removed.stdout).toContain(`removed worktree ${elsewhere}`);
		expect(existsSync(elsewhere)).toBe(false);
		expect(git(repo, 'worktree', 'list', '--porcelain')).not.toContain('elsewhere');
	});

	it('two worktrees with one directory name in different parents: both refused (exit 4), both listed', async () => {
		const repo = makeRepo('app');
		const env: CliEnv = {portHome: tempDir('port-home-')};
		killServicesAtCleanup(env);
		const a = path.join(path.dirname(repo), 'a', 'web');
		const b = path.join(path.dirname(repo), 'b', 'web');
		git(repo, 'worktree', 'add', '-q', a, '-b', 'one');
		git(repo, 'worktree', 'add', '-q', b, '-b', 'two');
		for (const dir of [a, b]) {
			const run = await port(['run', String(await getPort()), '--', 'node', server], dir, env);
			expect(run.code).toBe(4);
			expect(run.stderr).toContain(`port: The worktree ${dir} would be named "web"`);
			expect(run.stderr.trim().split('\n')).toHaveLength(2); // the line and its hint
		}
		expect(readRegistryFile(env.portHome).hostServices).toEqual([]);
		const list = await port(['list'], b, env);
		expect(list.code).toBe(0);
		expect(list.stdout).toContain(`[name taken by ${a}`);
		expect(list.stdout).toContain(`[name taken by ${b}`);
		// port enter does not create .port/trees/web beside them.
		expect((await port(['init'], repo, env)).code).toBe(0);
		const enter = await port(['enter', 'web'], repo, env);
		expect(enter.code).toBe(4);
		expect(existsSync(path.join(repo, '.port', 'trees', 'web'))).toBe(false);
	});
});

describe('layouts port refuses before writing anything (exit 3)', () => {
	async function refused(cwd: string, watched: string[], message: RegExp) {
		const env: CliEnv = {portHome: tempDir('port-home-')};
		const before = snapshot(...watched);
		for (const args of [['init'], ['run', String(await getPort()), '--', 'true'], ['list']]) {
			const result = await port(args, cwd, env);
			expect(result.code, `${args[0]}: ${result.stderr}`).toBe(3);
			expect(result.stderr).toMatch(message);
			expect(result.stderr.trim().split('\n')).toHaveLength(1);
		}
		expect(snapshot(...watched)).toEqual(before);
		expect(readdirSync(env.portHome)).toEqual([]);
	}

	it('inside a bare repository', async () => {
		const bare = path.join(tempDir(), 'app.git');
		git(path.dirname(bare), 'init', '-q', '--bare', bare);
		await refused(bare, [bare], /^port: .*app\.git is a bare repository/);
		await refused(path.join(bare, 'refs'), [bare], /^port: .*app\.git is a bare repository/);
	});

	it('a bare repository cloned into proj/.git', async () => {
		const source = makeRepo('source');
		const proj = path.join(tempDir(), 'proj');
		mkdirSync(proj);
		git(proj, 'clone', '-q', '--bare', source, '.git');
		await refused(proj, [proj], /^port: .*proj\/\.git is a bare repository/);
	});

	it('a worktree of a bare repository', async () => {
		const source = makeRepo('source');
		const parent = tempDir();
		git(parent, 'clone', '-q', '--bare', source, 'app.git');
		git(path.join(parent, 'app.git'), 'worktree', 'add', '-q', '../tree', '-b', 'x');
		await refused(path.join(parent, 'tree'), [parent], /^port: .*tree is a worktree of the bare repository/);
	});

	it('a --separate-git-dir checkout', async () => {
		const parent = tempDir();
		git(parent, 'init', '-q', '--separate-git-dir', path.join(parent, 'gitdir'), 'work');
		await refused(path.join(parent, 'work'), [parent], /^port: .*work keeps its git directory elsewhere/);
	});

	it('a submodule checkout', async () => {
		const sub = makeRepo('lib');
		const superproject = makeRepo('super');
		git(superproject, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', sub, 'lib');
		await refused(path.join(superproject, 'lib'), [superproject], /^port: .*lib is a git submodule checkout/);
	});
});
