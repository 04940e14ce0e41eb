import {createServer, type Server} from 'node:net';
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {port, readRegistryFile, startPort, type CliEnv} from './helpers/cli.js';
import {startDnsmasq} from './helpers/dnsmasq.js';
import {fakeDocker, makeRepo, onCleanup, runCleanups, tempDir, waitFor} from './helpers/env.js';

afterEach(() => runCleanups());

/** Listens on a free TCP port of 127.0.0.1 (closed at cleanup); resolves with the port. */
function holdPort(): Promise<number> {
	return new Promise(resolve => {
		const server: Server = createServer();
		server.listen(0, '127.0.0.1', () => resolve((server.address() as {port: number}).port));
		onCleanup(() => server.close());
	});
}

async function freeTcpPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port: free} = server.address() as {port: number};
	await new Promise(resolve => server.close(resolve));
	return free;
}

/** A port-initialised repository whose compose file publishes `published`, and an env with a healthy fake docker and a real dnsmasq. */
async function setup(published: number, docker: Parameters<typeof fakeDocker>[0] = {}) {
	const repo = makeRepo('app');
	const dns = await startDnsmasq('port');
	const env: CliEnv = {portHome: tempDir('port-home-'), dockerBin: fakeDocker(docker).bin, extra: {PORT_RESOLVER: `127.0.0.1:${dns.port}`}};
	expect((await port(['init'], repo, env)).code).toBe(0);
	writeFileSync(path.join(repo, 'docker-compose.yml'), `services:\n  web:\n    image: busybox\n    ports:\n      - "${published}:8080"\n`);
	return {repo, env};
}

const line = (stdout: string, check: string) => stdout.split('\n').find(l => l.slice(5).startsWith(`${check} `)) ?? `(no ${check} line in:\n${stdout})`;

describe('port doctor', () => {
	it('reports every check ok (or warn) on a healthy setup and exits 0; --json says the same', async () => {
		const published = await freeTcpPort();
		const {repo, env} = await setup(published);
		const result = await port(['doctor'], repo, env);
		expect(result.stderr).toBe('');
		expect(result.code).toBe(0);
		expect(line(result.stdout, 'git')).toMatch(/^ok {3}git +repository .*app, worktree app \(main checkout\)$/);
		expect(line(result.stdout, 'config')).toMatch(/^ok {3}config +\.port\/config\.jsonc is valid \(domain port\)$/);
		expect(line(result.stdout, 'engine')).toMatch(/^ok {3}engine /);
		expect(line(result.stdout, 'compose')).toMatch(/^ok {3}compose +Docker Compose 2\.26\.1$/);
		expect(line(result.stdout, `port ${published}`)).toMatch(/^ok {3}port \d+ +free for Traefik$/);
		expect(line(result.stdout, 'dns')).toMatch(/^ok {3}dns +\*\.port resolves to 127\.0\.0\.1 \(checked port-check-[0-9a-f]{8}\.port\)$/);
		const json = JSON.parse((await port(['doctor', '--json'], repo, env)).stdout) as {ok: boolean; checks: Array<{check: string; status: string; message: string; fix?: string}>};
		expect(json.ok).toBe(true);
		expect(json.checks.find(c => c.check === 'dns')?.status).toBe('ok');
		expect(json.checks.every(c => ['ok', 'warn'].includes(c.status))).toBe(true);
	});

	it('finds the engine down (fake docker that cannot connect)', async () => {
		const {repo, env} = await setup(await freeTcpPort(), {
			script: 'if [ "$1" = version ]; then echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1; fi',
		});
		const result = await port(['doctor'], repo, env);
		expect(result.code).toBe(1);
		expect(line(result.stdout, 'engine')).toMatch(/^fail engine +.*Cannot connect to the Docker daemon.* \(fix: Start Docker/);
	});

	it('finds no docker CLI at all', async () => {
		const {repo, env} = await setup(await freeTcpPort());
		const result = await port(['doctor'], repo, {...env, dockerBin: undefined});
		expect(result.code).toBe(1);
		expect(line(result.stdout, 'docker')).toMatch(/^fail docker +the docker CLI is not on PATH {2}\(fix: Install Docker/);
	});

	it('finds a published port another program holds', async () => {
		const held = await holdPort();
		const {repo, env} = await setup(held);
		const result = await port(['doctor'], repo, env);
		expect(result.code).toBe(1);
		expect(line(result.stdout, `port ${held}`)).toMatch(new RegExp(`^fail port ${held} +port ${held} is held by another program; Traefik cannot route it {2}\\(fix: Stop that program \\(e\\.g\\. lsof -i :${held}`));
	});

	it('finds a broken .port/config.jsonc', async () => {
		const {repo, env} = await setup(await freeTcpPort());
		writeFileSync(path.join(repo, '.port', 'config.jsonc'), '{"domain": ');
		const result = await port(['doctor'], repo, env);
		expect(result.code).toBe(1);
		expect(line(result.stdout, 'config')).toMatch(/^fail config +.*config\.jsonc:1: invalid JSONC \(ValueExpected\) {2}\(fix: /);
	});

	it('finds a name that does not resolve, and says the localhost domain needs no setup', async () => {
		const {repo, env} = await setup(await freeTcpPort());
		const hosts = path.join(tempDir(), 'hosts');
		writeFileSync(hosts, '127.0.0.1 localhost\n');
		const result = await port(['doctor'], repo, {...env, extra: {PORT_RESOLVER: 'hosts', PORT_HOSTS_FILE: hosts}});
		expect(result.code).toBe(1);
		expect(line(result.stdout, 'dns')).toMatch(/^fail dns +port-check-[0-9a-f]{8}\.port does not resolve to 127\.0\.0\.1 {2}\(fix: Run 'port install' \(or set "domain": "localhost"/);
		writeFileSync(path.join(repo, '.port', 'config.jsonc'), '{"domain": "localhost"}');
		const local = await port(['doctor'], repo, {...env, extra: {PORT_RESOLVER: 'hosts', PORT_HOSTS_FILE: hosts}});
		expect(line(local.stdout, 'dns')).toMatch(/^ok {3}dns +\*\.localhost resolves to 127\.0\.0\.1 without setup$/);
	});

	it('finds a host service that does not listen on its port', async () => {
		const logical = await freeTcpPort();
		const {repo, env} = await setup(await freeTcpPort());
		startPort(['run', String(logical), '--', process.execPath, '-e', 'setInterval(() => {}, 1000)'], repo, env);
		const service = await waitFor(() => readRegistryFile(env.portHome).hostServices[0], {what: 'host service registered'});
		const result = await port(['doctor'], repo, env);
		expect(result.code).toBe(1);
		expect(line(result.stdout, `host app:${logical}`)).toMatch(new RegExp(`^fail host app:${logical} +nothing listens on its port ${service.actualPort} \\(pid ${service.pid}\\) {2}\\(fix: The command must listen on \\$PORT`));
	});
});
