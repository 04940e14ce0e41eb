import {mkdirSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {finished, port, processesWith, readRegistryFile, routeFiles, startPort, type CliEnv} from './helpers/cli.js';
import {fakeDocker, makeRepo, repoDir, runCleanups, tempDir, waitFor} from './helpers/env.js';
import {httpGet} from './helpers/http.js';

const fakeVite = path.join(repoDir, 'test', 'fixtures', 'fake-vite.cjs');
const envServer = path.join(repoDir, 'test', 'fixtures', 'env-server.cjs');
let counter = 0;
const marker = () => `port-devsrv-${process.pid}-${++counter}-${Date.now()}`;

type Service = {logicalPort: number; actualPort: number; readiness?: {state: string; listens?: number[]}; pid: number};

/** A repository with `node_modules/.bin/vite` (the fake) and a package.json, optionally a config. */
function setup(config?: object) {
	const portHome = tempDir('port-home-');
	const env: CliEnv = {portHome, dockerBin: fakeDocker().bin};
	const repo = makeRepo('app');
	mkdirSync(path.join(repo, 'node_modules', '.bin'), {recursive: true});
	symlinkSync(fakeVite, path.join(repo, 'node_modules', '.bin', 'vite'));
	writeFileSync(path.join(repo, 'package.json'), JSON.stringify({name: 'app', private: true, scripts: {dev: 'vite', build: 'vite build'}}));
	if (config) {
		mkdirSync(path.join(repo, '.port'), {recursive: true});
		writeFileSync(path.join(repo, '.port', 'config.jsonc'), JSON.stringify(config));
	}
	return {env, repo, portHome};
}

const registered = (portHome: string, logicalPort: number) =>
	waitFor(() => (readRegistryFile(portHome).hostServices as Service[]).find(s => s.logicalPort === logicalPort), {what: `:${logicalPort} registered`, timeout: 20_000});

const answer = (actualPort: number) => waitFor(() => httpGet(actualPort).catch(() => undefined), {what: `HTTP on ${actualPort}`, timeout: 20_000});

function expectClean(portHome: string, tag: string) {
	expect(readRegistryFile(portHome).hostServices).toEqual([]);
	expect(routeFiles(portHome)).toEqual([]);
	expect(processesWith(tag)).toEqual([]);
}

afterEach(() => runCleanups());

describe('port run: a dev server that ignores PORT gets --port', () => {
	it.each([
		['npx', ['npx', 'vite']],
		['npm run dev', ['npm', 'run', 'dev']],
	])('fake vite via %s answers on the allocated port, and is reported ready', async (_name, command) => {
		const {env, repo, portHome} = setup();
		const run = startPort(['run', '5173', '--', ...command], repo, env);
		const service = await registered(portHome, 5173);
		const {body} = await answer(service.actualPort);
		expect(body).toContain(`fake-vite on ${service.actualPort} host 127.0.0.1`);
		expect(body).toContain('--strictPort');
		expect(run.output.stderr).toContain(`port: added --port ${service.actualPort} --strictPort --host 127.0.0.1 for vite\n`);
		await waitFor(() => /port: app:5173 ready in \d+ ms/.test(run.output.stderr), {what: 'ready line', timeout: 20_000});
		expect((readRegistryFile(portHome).hostServices as Service[])[0]!.readiness).toMatchObject({state: 'ready'});
		const list = await port(['list'], repo, env);
		expect(list.stdout).toMatch(new RegExp(`app:5173 -> localhost:${service.actualPort} .*  ready`));
		run.kill('SIGINT');
		expect((await finished(run)).code).toBe(130);
	});

	it('--no-inject leaves the command alone: vite takes its own port and port says so', async () => {
		const {env, repo, portHome} = setup({readyGrace: 0.5});
		const run = startPort(['run', '5173', '--no-inject', '--', 'npx', 'vite'], repo, env);
		const service = await registered(portHome, 5173);
		const line = await waitFor(() => /vite listens on (\d+), not on PORT=(\d+); pass --port \$PORT or use \{PORT\}/.exec(run.output.stderr) ?? undefined, {what: 'not-listening line', timeout: 20_000});
		expect(Number(line[2])).toBe(service.actualPort);
		expect(run.output.stderr).not.toContain('added --port');
		// It really listens where port says (5173 or the next free one).
		expect((await httpGet(Number(line[1]))).body).toContain(`fake-vite on ${line[1]}`);
		run.kill('SIGINT');
		await finished(run);
	});
});

describe('port run: readiness', () => {
	it('names the port a server listens on instead of PORT within the grace period, in port list and status --json', async () => {
		const {env, repo, portHome} = setup({readyGrace: 0.5});
		const tag = marker();
		const run = startPort(['run', '4100', '--', 'node', envServer, 'wrong', tag], repo, env);
		const service = await registered(portHome, 4100);
		const own = Number((await waitFor(() => new RegExp(`${tag} listening on (\\d+)`).exec(run.output.stdout) ?? undefined, {what: 'server up'}))[1]);
		expect(own).not.toBe(service.actualPort);
		await waitFor(() => run.output.stderr.includes(`port: node listens on ${own}, not on PORT=${service.actualPort}; pass --port $PORT or use {PORT}\n`), {what: 'message', timeout: 15_000});
		expect(run.output.stderr).not.toContain('ready in');
		const list = await port(['list'], repo, env);
		expect(list.stdout).toContain(`not listening on ${service.actualPort} (listens on ${own})`);
		const status = JSON.parse((await port(['status', '--json'], repo, env)).stdout) as {worktrees: Array<{hostServices: Array<{readiness?: string}>}>};
		expect(status.worktrees.flatMap(w => w.hostServices).map(h => h.readiness)).toEqual([`not listening on ${service.actualPort} (listens on ${own})`]);
		run.kill('SIGINT');
		expect((await finished(run)).code).toBe(130);
		expectClean(portHome, tag);
	});
});

describe('port run: {PORT} and the environment', () => {
	it('fills {PORT} and gives PORT, HOST, PORT_URL, PORT_URL_<NAME> and Vite allowed hosts', async () => {
		const {env, repo, portHome} = setup({services: {web: {port: 3100, command: 'node web.js'}, api: {port: 4100, command: ['node', 'api.js']}}});
		const tag = marker();
		// The placeholder is passed as the shell would pass it unquoted: literally.
		const run = startPort(['run', '8100', '--', 'node', envServer, '{PORT}', tag], repo, env);
		const service = await registered(portHome, 8100);
		const reply = JSON.parse((await answer(service.actualPort)).body) as {name: string; port: number; env: Record<string, string>};
		expect(reply.name).toBe(tag);
		expect(reply.port).toBe(service.actualPort);
		expect(reply.env).toEqual({
			PORT: String(service.actualPort),
			HOST: '127.0.0.1',
			PORT_URL: 'http://app.port:8100',
			PORT_URL_WEB: 'http://app.port:3100',
			PORT_URL_API: 'http://app.port:4100',
			__VITE_ADDITIONAL_SERVER_ALLOWED_HOSTS: '.port',
		});
		run.kill('SIGINT');
		await finished(run);
		expectClean(portHome, tag);
	});
});

describe('port run with declared services', () => {
	it('runs all of them with prefixed output; Ctrl+C stops all and leaves nothing behind', async () => {
		const tag = marker();
		const {env, repo, portHome} = setup({
			services: {
				web: {port: 3200, command: `node ${envServer} {PORT} ${tag}-web`},
				api: {port: 4200, command: ['node', envServer, '{PORT}', `${tag}-api`], cwd: 'sub', env: {LOG: 'debug'}},
			},
		});
		mkdirSync(path.join(repo, 'sub'));
		const run = startPort(['run'], repo, env);
		const web = await registered(portHome, 3200);
		const api = await registered(portHome, 4200);
		const webReply = JSON.parse((await answer(web.actualPort)).body) as {env: Record<string, string>};
		const apiReply = JSON.parse((await answer(api.actualPort)).body) as {cwd: string; env: Record<string, string>};
		expect(webReply.env['PORT_URL_API']).toBe('http://app.port:4200');
		expect(apiReply.env['LOG']).toBe('debug');
		expect(apiReply.cwd).toBe(path.join(repo, 'sub'));
		await waitFor(() => run.output.stdout.includes(`web | ${tag}-web listening on ${web.actualPort}\n`) && run.output.stdout.includes(`api | ${tag}-api listening on ${api.actualPort}\n`), {what: 'prefixed output'});
		await waitFor(() => run.output.stderr.includes('web | port: app:3200 ready in') && run.output.stderr.includes('api | port: app:4200 ready in'), {what: 'both ready'});
		expect(processesWith(tag)).toHaveLength(2);

		run.kill('SIGINT');
		expect((await finished(run)).code).toBe(130);
		expectClean(portHome, tag);
	});

	it('port run <name> runs one; an unknown name and a bad config are one clear line', async () => {
		const tag = marker();
		const {env, repo, portHome} = setup({services: {web: {port: 3300, command: ['node', envServer, '{PORT}', tag]}}});
		const run = startPort(['run', 'web'], repo, env);
		const web = await registered(portHome, 3300);
		expect(JSON.parse((await answer(web.actualPort)).body)).toMatchObject({name: tag, port: web.actualPort});
		run.kill('SIGINT');
		expect((await finished(run)).code).toBe(130);
		expectClean(portHome, tag);

		const unknown = await port(['run', 'nope'], repo, env);
		expect(unknown.code).toBe(2);
		expect(unknown.stderr).toContain('port: Unknown service "nope" (declared: web).');
		writeFileSync(path.join(repo, '.port', 'config.jsonc'), JSON.stringify({services: {web: {port: 3300, command: 'x'}, api: {port: 3300, command: 'y'}}}));
		const duplicate = await port(['run'], repo, env);
		expect(duplicate.code).toBe(3);
		expect(duplicate.stderr).toMatch(/services\.api: port 3300 is already used by services\.web\n/);
		writeFileSync(path.join(repo, '.port', 'config.jsonc'), JSON.stringify({services: {web: {port: 3300, command: 'node x.js', cwd: 'apps/web'}}}));
		const noDir = await port(['run', 'web'], repo, env);
		expect(noDir.code).toBe(3);
		expect(noDir.stderr).toContain(`port: services.web: "cwd" apps/web is not a directory in ${repo}\n`);
	});
});

describe('port logs', () => {
	it('prints and follows a service started by another port run; a clear error when there is none', async () => {
		const tag = marker();
		const {env, repo, portHome} = setup();
		const none = await port(['logs'], repo, env);
		expect(none.code).toBe(1);
		expect(none.stderr).toContain('port: No host service running for app.');

		const run = startPort(['run', '3400', '--', 'node', envServer, '{PORT}', tag], repo, env);
		const service = await registered(portHome, 3400);
		await answer(service.actualPort);
		await httpGet(service.actualPort, '/first');
		await waitFor(() => run.output.stdout.includes(`${tag} got /first`), {what: 'first request logged'});
		const printed = await port(['logs', '3400', '-n', '1'], repo, env);
		expect(printed.stdout).toBe(`${tag} got /first\n`);

		const follow = startPort(['logs', '-f'], repo, env);
		await waitFor(() => follow.output.stdout.includes(`${tag} got /first`), {what: 'the tail first'});
		await httpGet(service.actualPort, '/second');
		await waitFor(() => follow.output.stdout.includes(`${tag} got /second\n`), {what: 'followed line'});
		run.kill('SIGINT');
		expect((await finished(follow)).code).toBe(0);
		expect(follow.output.stderr).toContain('port: app:3400 ended');
		await finished(run);
	});
});
