import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {finished, port, processesWith, readRegistryFile, routeFiles, startPort, type CliEnv} from './helpers/cli.js';
import {fakeDocker, makeRepo, repoDir, runCleanups, tempDir, waitFor} from './helpers/env.js';
import {httpGet} from './helpers/http.js';

// `port run` with no arguments: one supervisor for every declared service, each still a normal
// host service (stopped one at a time by `port kill`, `--replace` or the dashboard).

const envServer = path.join(repoDir, 'test', 'fixtures', 'env-server.cjs');
let counter = 0;
const marker = () => `port-decl-${process.pid}-${++counter}-${Date.now()}`;

type Service = {logicalPort: number; actualPort: number; pid: number; supervisorPid: number};

function setup(services: object) {
	const portHome = tempDir('port-home-');
	const env: CliEnv = {portHome, dockerBin: fakeDocker().bin};
	const repo = makeRepo('app');
	mkdirSync(path.join(repo, '.port'), {recursive: true});
	writeFileSync(path.join(repo, '.port', 'config.jsonc'), JSON.stringify({services}));
	return {env, repo, portHome};
}

const services = (portHome: string) => readRegistryFile(portHome).hostServices as Service[];
const registered = (portHome: string, logicalPort: number) =>
	waitFor(() => services(portHome).find(s => s.logicalPort === logicalPort), {what: `:${logicalPort} registered`, timeout: 20_000});
const answer = (actualPort: number) => waitFor(() => httpGet(actualPort).catch(() => undefined), {what: `HTTP on ${actualPort}`, timeout: 20_000});

afterEach(() => runCleanups());

describe('port run (all declared services): stopping one leaves the others running', () => {
	it('port kill <port> stops that service only; the run exits once the last one is stopped', async () => {
		const tag = marker();
		const {env, repo, portHome} = setup({
			web: {port: 3101, command: ['node', envServer, '{PORT}', `${tag}-web`]},
			api: {port: 4101, command: ['node', envServer, '{PORT}', `${tag}-api`]},
		});
		const run = startPort(['run'], repo, env);
		const web = await registered(portHome, 3101);
		const api = await registered(portHome, 4101);
		await answer(web.actualPort);
		await answer(api.actualPort);

		const kill = await port(['kill', '3101'], repo, env);
		expect(kill.code).toBe(0);
		expect(services(portHome).map(s => s.logicalPort)).toEqual([4101]);
		expect(processesWith(`${tag}-web`)).toEqual([]);
		// The other one still answers, and its supervisor still runs.
		expect(JSON.parse((await httpGet(api.actualPort)).body)).toMatchObject({name: `${tag}-api`});
		expect(run.exitCode).toBeNull();
		expect(routeFiles(portHome)).toHaveLength(1);

		expect((await port(['kill', '4101'], repo, env)).code).toBe(0);
		// env-server exits 0 on SIGTERM: no service failed.
		expect((await finished(run)).code).toBe(0);
		expect(services(portHome)).toEqual([]);
		expect(routeFiles(portHome)).toEqual([]);
		expect(processesWith(tag)).toEqual([]);
	});

	it('port run <name> --replace replaces that one only', async () => {
		const tag = marker();
		const {env, repo, portHome} = setup({
			web: {port: 3102, command: ['node', envServer, '{PORT}', `${tag}-web`]},
			api: {port: 4102, command: ['node', envServer, '{PORT}', `${tag}-api`]},
		});
		const all = startPort(['run'], repo, env);
		const web = await registered(portHome, 3102);
		const api = await registered(portHome, 4102);
		await answer(api.actualPort);
		const one = startPort(['run', 'web', '--replace'], repo, env);
		const replaced = await waitFor(() => services(portHome).find(s => s.logicalPort === 3102 && s.pid !== web.pid), {what: 'web replaced', timeout: 20_000});
		expect(replaced.supervisorPid).toBe(one.pid);
		expect(JSON.parse((await answer(replaced.actualPort)).body)).toMatchObject({name: `${tag}-web`});
		expect(JSON.parse((await httpGet(api.actualPort)).body)).toMatchObject({name: `${tag}-api`});
		expect(all.exitCode).toBeNull();
		all.kill('SIGINT');
		expect((await finished(all)).code).toBe(130);
		one.kill('SIGINT');
		expect((await finished(one)).code).toBe(130);
		expect(processesWith(tag)).toEqual([]);
	});
});
