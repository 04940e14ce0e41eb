import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {finished, port, processesWith, readRegistryFile, routeFiles, startPort, type CliEnv} from './helpers/cli.js';
import {fakeDocker, makeRepo, repoDir, runCleanups, tempDir, waitFor} from './helpers/env.js';
import {hostsModeInstall} from './helpers/dnsmasq.js';
import {httpGet} from './helpers/http.js';
import {requestRestart} from '../source/core/supervise/control.js';
import type {HostService} from '../source/core/registry/registry.js';

// `port run` with no arguments: one supervisor for every declared service, each still a normal
// host service (stopped one at a time by `port kill`, `--replace` or the dashboard).

const envServer = path.join(repoDir, 'test', 'fixtures', 'env-server.cjs');
let counter = 0;
const marker = () => `port-decl-${process.pid}-${++counter}-${Date.now()}`;

type Service = {logicalPort: number; actualPort: number; pid: number; supervisorPid: number};

function setup(services: object, options: {docker?: boolean; config?: object; extra?: Record<string, string>; portHome?: string} = {}) {
	const portHome = options.portHome ?? tempDir('port-home-');
	const env: CliEnv = {portHome, dockerBin: options.docker === false ? undefined : fakeDocker().bin, extra: options.extra};
	const repo = makeRepo('app');
	mkdirSync(path.join(repo, '.port'), {recursive: true});
	writeFileSync(path.join(repo, '.port', 'config.jsonc'), JSON.stringify({...options.config, services}));
	return {env, repo, portHome};
}

const services = (portHome: string) => readRegistryFile(portHome).hostServices as Service[];
const registered = (portHome: string, logicalPort: number) =>
	waitFor(() => services(portHome).find(s => s.logicalPort === logicalPort), {what: `:${logicalPort} registered`, timeout: 20_000});
const settle = () => new Promise(resolve => setTimeout(resolve, 500));
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

describe('port run (all declared services): restart in place', () => {
	it("a dashboard's restart (requestRestart) restarts the one asked; a bare SIGUSR2 restarts all", async () => {
		const tag = marker();
		const {env, repo, portHome} = setup({
			web: {port: 3106, command: ['node', envServer, '{PORT}', `${tag}-web`]},
			api: {port: 4106, command: ['node', envServer, '{PORT}', `${tag}-api`]},
		});
		const run = startPort(['run'], repo, env);
		const web = await registered(portHome, 3106);
		const api = await registered(portHome, 4106);
		await answer(web.actualPort);
		await answer(api.actualPort);
		process.env['PORT_HOME'] = portHome;
		try {
			expect(await requestRestart(web as unknown as HostService)).toBe(true);
		} finally {
			delete process.env['PORT_HOME'];
		}
		const restarted = await waitFor(() => services(portHome).find(s => s.logicalPort === 3106 && s.pid !== web.pid), {what: 'web restarted', timeout: 20_000});
		expect(restarted.actualPort).toBe(web.actualPort);
		await answer(web.actualPort);
		await settle();
		expect(services(portHome).find(s => s.logicalPort === 4106)!.pid).toBe(api.pid);
		expect(services(portHome).some(s => 'restartRequested' in s)).toBe(false);

		run.kill('SIGUSR2');
		await waitFor(() => services(portHome).find(s => s.logicalPort === 4106 && s.pid !== api.pid), {what: 'api restarted', timeout: 20_000});
		await waitFor(() => services(portHome).find(s => s.logicalPort === 3106 && s.pid !== restarted.pid), {what: 'web restarted again', timeout: 20_000});
		expect(run.exitCode).toBeNull();
		run.kill('SIGINT');
		expect((await finished(run)).code).toBe(130);
	});
});

describe('port run (all declared services): the notices a single port run gives', () => {
	const two = (tag: string, web: number, api: number) => ({
		web: {port: web, command: ['node', envServer, '{PORT}', `${tag}-web`]},
		api: {port: api, command: ['node', envServer, '{PORT}', `${tag}-api`]},
	});

	it('routing off when Traefik is unavailable (no docker), with the direct URLs', async () => {
		const tag = marker();
		const {env, repo, portHome} = setup(two(tag, 3103, 4103), {docker: false});
		const run = startPort(['run'], repo, env);
		const web = await registered(portHome, 3103);
		const api = await registered(portHome, 4103);
		await waitFor(() => run.output.stderr.includes('Routing is off'), {what: 'routing-off warning', timeout: 20_000});
		expect(run.output.stderr).toMatch(new RegExp(`port: warning: .*Routing is off until Traefik runs; use http://localhost:${web.actualPort}, http://localhost:${api.actualPort}\\.\n`));
		run.kill('SIGINT');
		expect((await finished(run)).code).toBe(130);
	});

	it('the lan notice and the honest-URL note (a name that does not resolve)', async () => {
		const tag = marker();
		const hosts = path.join(tempDir(), 'hosts');
		writeFileSync(hosts, '127.0.0.1 localhost\n');
		const {env, repo, portHome} = setup(two(tag, 3104, 4104), {config: {lan: true}, extra: {PORT_RESOLVER: 'hosts', PORT_HOSTS_FILE: hosts}});
		const run = startPort(['run'], repo, env);
		const web = await registered(portHome, 3104);
		const api = await registered(portHome, 4104);
		await waitFor(() => run.output.stderr.includes('port: note:'), {what: 'the note', timeout: 20_000});
		expect(run.output.stderr).toContain('port: "lan": true in .port/config.jsonc: Traefik listens on every interface for :3104, :4104,');
		expect(run.output.stderr).toContain(`port: note: app.port does not resolve to 127.0.0.1 (run 'port install', or see 'port doctor'); use http://localhost:${web.actualPort}, http://localhost:${api.actualPort}\n`);
		run.kill('SIGINT');
		expect((await finished(run)).code).toBe(130);
	});

	it('puts the hostname into the hosts block of a hosts-mode install', async () => {
		const tag = marker();
		const {hosts, extra, portHome} = await hostsModeInstall();
		const {env, repo} = setup(two(tag, 3105, 4105), {extra, portHome});
		const run = startPort(['run'], repo, env);
		await waitFor(() => readFileSync(hosts, 'utf8').includes('127.0.0.1 app.port\n'), {what: 'app.port in the hosts block', timeout: 20_000});
		run.kill('SIGINT');
		expect((await finished(run)).code).toBe(130);
	});
});
