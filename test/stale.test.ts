import {spawn} from 'node:child_process';
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {port, isProcessAlive, readRegistryFile, routeFiles} from './helpers/cli.js';
import {fakeDocker, makeRepo, onCleanup, runCleanups, tempDir} from './helpers/env.js';
import {groupAlive, processFacts, processStartTime, signalGroup} from '../source/core/supervise/process-info.js';

afterEach(() => runCleanups());

function sleeper(): number {
	const child = spawn('sleep', ['300'], {stdio: 'ignore', detached: true});
	onCleanup(() => child.kill('SIGKILL'));
	return child.pid!;
}

function entry(home: string, repo: string, overrides: Record<string, unknown>) {
	const id = `host-app-3000-test-${Math.random().toString(16).slice(2, 8)}`;
	const configFile = path.join(home, 'traefik', 'dynamic', `${id}.yml`);
	mkdirSync(path.dirname(configFile), {recursive: true});
	writeFileSync(configFile, 'http: {}\n');
	return {
		id,
		repo,
		branch: 'app',
		hostname: 'app.port',
		logicalPort: 3000,
		actualPort: 50_000,
		pid: 1,
		pidStartTime: '1',
		supervisorPid: 1,
		supervisorStartTime: '1',
		owner: 'run',
		command: ['sleep', '300'],
		cwd: repo,
		logFile: path.join(home, 'logs', `${id}.log`),
		configFile,
		routeName: id,
		startedAt: new Date().toISOString(),
		...overrides,
	};
}

describe('stale cleanup and pid reuse', () => {
	it('treats a pid whose start time does not match as dead: removes the entry and never signals the process', async () => {
		const home = tempDir('port-home-');
		const repo = makeRepo();
		const stranger = sleeper();
		// Same pid as a live unrelated process, but a different start time: a reused pid.
		const reused = entry(home, repo, {pid: stranger, pidStartTime: '12345', supervisorPid: stranger, supervisorStartTime: '12345'});
		writeFileSync(path.join(home, 'registry.json'), JSON.stringify({version: 1, projects: [], hostServices: [reused]}));
		const result = await port(['kill', '--all'], repo, {portHome: home, dockerBin: fakeDocker().bin});
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('No host services to stop');
		expect(readRegistryFile(home).hostServices).toEqual([]);
		expect(existsSync(reused.configFile)).toBe(false);
		expect(isProcessAlive(stranger)).toBe(true);
	});

	it('removes exactly the dead entries and keeps a live one for the same repo, worktree and port', async () => {
		const home = tempDir('port-home-');
		const repo = makeRepo();
		const live = sleeper();

		const startTime = processStartTime(live)!;
		const dead = entry(home, repo, {pid: 999_999, pidStartTime: '1', supervisorPid: 999_998, supervisorStartTime: '1'});
		const alive = entry(home, repo, {pid: live, pidStartTime: startTime, supervisorPid: live, supervisorStartTime: startTime, actualPort: 50_001});
		writeFileSync(path.join(home, 'registry.json'), JSON.stringify({version: 1, projects: [], hostServices: [dead, alive]}));
		const result = await port(['list', '--json'], repo, {portHome: home, dockerBin: fakeDocker().bin});
		expect(result.code).toBe(0);
		const listed = JSON.parse(result.stdout) as {hostServices: Array<{id: string; status: string}>};
		expect(listed.hostServices.map(s => s.id)).toEqual([alive.id]);
		expect(routeFiles(home)).toEqual([`${alive.id}.yml`]);
		expect(isProcessAlive(live)).toBe(true);
	});
});

/**
 * A zombie leading a live process group that is not ours: a session leader (setsid) starts
 * `sleep` in its group and exits; its parent (a shell that exec'd sleep) never reaps it.
 */
async function zombieLeader(): Promise<{leader: number; member: number}> {
	const parent = spawn('sh', ['-c', `setsid sh -c 'sleep 300 & echo $$ $!' & exec sleep 300`], {stdio: ['ignore', 'pipe', 'ignore']});
	const [leader, member] = await new Promise<number[]>(resolve => parent.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim().split(' ').map(Number))));
	onCleanup(() => {
		process.kill(member!, 'SIGKILL');
		parent.kill('SIGKILL');
	});
	expect(await waitFor(() => processFacts([leader!]).get(leader!)?.zombie === true)).toBe(true);
	return {leader: leader!, member: member!};
}

describe('a reused pid that is now a zombie leading a live group', () => {
	it('signalGroup compares its start time too: another start time is not ours, the group is not signalled', async () => {
		const {leader, member} = await zombieLeader();
		expect(groupAlive(leader)).toBe(true);
		expect(signalGroup(leader, '12345', 'SIGTERM')).toBe(false);
		await new Promise(resolve => setTimeout(resolve, 100));
		expect(isProcessAlive(member)).toBe(true);
		// Its own start time: ours (a child that exited, its group still running): signalled.
		expect(signalGroup(leader, processFacts([leader]).get(leader)!.startTime, 'SIGTERM')).toBe(true);
		expect(await waitFor(() => !isProcessAlive(member))).toBe(true);
	});

	it('stale cleanup (port list) removes the entry and leaves that group alone', async () => {
		const home = tempDir('port-home-');
		const repo = makeRepo();
		const {leader, member} = await zombieLeader();
		const reused = entry(home, repo, {pid: leader, pidStartTime: '12345', supervisorPid: 999_998, supervisorStartTime: '1'});
		writeFileSync(path.join(home, 'registry.json'), JSON.stringify({version: 1, projects: [], hostServices: [reused]}));
		expect((await port(['list'], repo, {portHome: home, dockerBin: fakeDocker().bin})).code).toBe(0);
		expect(readRegistryFile(home).hostServices).toEqual([]);
		await new Promise(resolve => setTimeout(resolve, 100));
		expect(isProcessAlive(member)).toBe(true);
	});
});

describe('route files shared by runs of one service', () => {
	it('an ending run keeps the route file while a replacement claims or uses it', async () => {
		const home = tempDir('port-home-');
		process.env['PORT_HOME'] = home;
		try {
			const {removeHostService} = await import('../source/core/supervise/stale.js');
			const {hostRouteName} = await import('../source/core/names.js');
			const repo = makeRepo();
			const routeName = hostRouteName(repo, 'app', 3000);
			const old = {...entry(home, repo, {}), id: `${routeName}-old`, routeName, configFile: path.join(home, 'traefik', 'dynamic', `${routeName}.yml`)};
			writeFileSync(old.configFile, 'http: {}\n');
			const startTime = processStartTime(process.pid)!;
			// A replacement that wrote the same route file and has not registered yet.
			const claim = {port: 50_002, pid: process.pid, startTime, expiresAt: Date.now(), key: `${repo}\napp\n3000`, repo, hostname: 'app.port', logicalPort: 3000};
			writeFileSync(path.join(home, 'registry.json'), JSON.stringify({version: 1, projects: [], hostServices: [old], reservations: [claim]}));
			await removeHostService(old.id);
			expect(readRegistryFile(home).hostServices).toEqual([]);
			expect(existsSync(old.configFile)).toBe(true);
			// Without the claim, the route goes with the entry.
			writeFileSync(path.join(home, 'registry.json'), JSON.stringify({version: 1, projects: [], hostServices: [old], reservations: []}));
			await removeHostService(old.id);
			expect(existsSync(old.configFile)).toBe(false);
		} finally {
			delete process.env['PORT_HOME'];
		}
	});
});

describe('route files left by a port run killed before it registered', () => {
	it('are removed once its claim is found dead; files of live services and foreign files stay', async () => {
		const home = tempDir('port-home-');
		const repo = makeRepo();
		const live = sleeper();
		const startTime = processStartTime(live)!;
		const running = entry(home, repo, {pid: live, pidStartTime: startTime, supervisorPid: live, supervisorStartTime: startTime});
		const dynamic = path.join(home, 'traefik', 'dynamic');
		const leftover = path.join(dynamic, 'host-app-4000-deadbeef.yml');
		const foreign = path.join(dynamic, 'my-own-route.yml');
		writeFileSync(leftover, 'http: {}\n');
		writeFileSync(foreign, 'http: {}\n');
		const deadClaim = {port: 50_003, pid: 999_999, startTime: '1', expiresAt: Date.now(), key: `${repo}\napp\n4000`, repo, hostname: 'app.port', logicalPort: 4000};
		writeFileSync(path.join(home, 'registry.json'), JSON.stringify({version: 1, projects: [], hostServices: [running], reservations: [deadClaim]}));
		const result = await port(['list'], repo, {portHome: home, dockerBin: fakeDocker().bin});
		expect(result.code).toBe(0);
		expect(existsSync(leftover)).toBe(false);
		expect(existsSync(running.configFile)).toBe(true);
		expect(existsSync(foreign)).toBe(true);
		expect(JSON.parse(readFileSync(path.join(home, 'registry.json'), 'utf8')).reservations).toEqual([]);
	});
});

/** An entry in the older (seed) shape: no id, start times, supervisor or command. */
function legacy(home: string, repo: string, pid: number, extra: Record<string, unknown> = {}) {
	const configFile = path.join(home, 'traefik', 'dynamic', `legacy-${pid}.yml`);
	mkdirSync(path.dirname(configFile), {recursive: true});
	writeFileSync(configFile, 'http: {}\n');
	return {repo, branch: 'app', logicalPort: 3000, actualPort: 50_010, pid, configFile, ...extra};
}

const waitFor = async (check: () => boolean, ms = 5000) => {
	const deadline = Date.now() + ms;
	while (!check() && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 25));
	return check();
};

describe('host services registered by an older port (no start time)', () => {
	it('are listed while the pid lives, never signalled without a recorded command, and cleaned once it is gone', async () => {
		const home = tempDir('port-home-');
		const repo = makeRepo();
		const pid = sleeper();
		const old = legacy(home, repo, pid);
		writeFileSync(path.join(home, 'registry.json'), JSON.stringify({projects: [{repo, branch: 'app', ports: [5000]}], hostServices: [old]}));
		const env = {portHome: home, dockerBin: fakeDocker().bin};

		const list = await port(['list'], repo, env);
		expect(list.code, list.stderr).toBe(0);
		expect(list.stdout).toContain(`app:3000 -> localhost:50010 (pid ${pid})`);
		expect(list.stdout).toMatch(/from an older port; its command is unknown, so port kill leaves it running/);
		expect(list.stdout).toMatch(/app: ports 5000 {2}\[from an older port\]/);

		const kill = await port(['kill', '--all'], repo, env);
		expect(kill.code).toBe(1);
		expect(kill.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^port: not stopping app:3000 \\(pid ${pid}\\): it was registered by an older port without its command line`))]);
		expect(isProcessAlive(pid)).toBe(true);
		expect(readRegistryFile(home).hostServices).toEqual([old]);

		process.kill(pid, 'SIGKILL');
		expect(await waitFor(() => !isProcessAlive(pid))).toBe(true);
		const after = await port(['list', '--json'], repo, env);
		expect(after.code, after.stderr).toBe(0);
		expect(JSON.parse(after.stdout).hostServices).toEqual([]);
		expect(readRegistryFile(home).hostServices).toEqual([]);
		expect(readRegistryFile(home).projects).toEqual([{repo, branch: 'app', ports: [5000]}]);
		expect(existsSync(old.configFile)).toBe(false);
	});

	it('port kill stops one whose live command line matches the recorded command, and refuses one that does not', async () => {
		const home = tempDir('port-home-');
		const repo = makeRepo();
		const matching = sleeper();
		const other = sleeper();
		const stop = legacy(home, repo, matching, {command: ['sleep', '300']});
		const keep = legacy(home, repo, other, {logicalPort: 3001, actualPort: 50_011, command: ['node', 'server.js']});
		writeFileSync(path.join(home, 'registry.json'), JSON.stringify({hostServices: [stop, keep]}));
		const kill = await port(['kill', '--all'], repo, {portHome: home, dockerBin: fakeDocker().bin});
		expect(kill.code).toBe(1);
		expect(kill.stdout).toContain(`stopped app:3000 (pid ${matching}, localhost:50010)`);
		expect(kill.stderr).toMatch(new RegExp(`^port: not stopping app:3001 \\(pid ${other}\\): .*no longer runs its command`));
		expect(await waitFor(() => !isProcessAlive(matching))).toBe(true);
		expect(isProcessAlive(other)).toBe(true);
		expect(readRegistryFile(home).hostServices).toEqual([keep]);
		expect(existsSync(stop.configFile)).toBe(false);
	});

	it('cleanup of a dead one never signals the process group its pid once led', async () => {
		const home = tempDir('port-home-');
		const repo = makeRepo();
		// A group whose leader exits at once while a member lives on.
		const leader = spawn('sh', ['-c', 'sleep 300 & exit 0'], {stdio: 'ignore', detached: true});
		const pgid = leader.pid!;
		onCleanup(() => process.kill(-pgid, 'SIGKILL'));
		await new Promise(resolve => leader.once('exit', resolve));
		expect(await waitFor(() => !isProcessAlive(pgid))).toBe(true);
		expect(groupAlive(pgid)).toBe(true);
		writeFileSync(path.join(home, 'registry.json'), JSON.stringify({hostServices: [legacy(home, repo, pgid)]}));
		const list = await port(['list', '--json'], repo, {portHome: home, dockerBin: fakeDocker().bin});
		expect(list.code, list.stderr).toBe(0);
		expect(readRegistryFile(home).hostServices).toEqual([]);
		expect(groupAlive(pgid)).toBe(true); // the group's member still runs (zombies do not count)
	});
});
