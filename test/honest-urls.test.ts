import {readFileSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {port, readRegistryFile, startPort, type CliEnv} from './helpers/cli.js';
import {hostsModeInstall, startDnsmasq} from './helpers/dnsmasq.js';
import {fakeDocker, makeRepo, repoDir, runCleanups, tempDir, waitFor} from './helpers/env.js';

afterEach(() => runCleanups());

const server = path.join(repoDir, 'test', 'fixtures', 'server.cjs');

async function freeTcpPort(): Promise<number> {
	const probe = createServer();
	await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve));
	const {port: free} = probe.address() as {port: number};
	await new Promise(resolve => probe.close(resolve));
	return free;
}

/** A repository with one host service (a real `port run`) on a free logical port. */
async function withHostService(extra: Record<string, string>, traefikRunning = true) {
	const repo = makeRepo('app');
	const env: CliEnv = {portHome: tempDir('port-home-'), dockerBin: fakeDocker({traefikRunning}).bin, extra};
	expect((await port(['init'], repo, env)).code).toBe(0);
	const logical = await freeTcpPort();
	startPort(['run', String(logical), '--', process.execPath, server, 'honest'], repo, env);
	const service = await waitFor(() => readRegistryFile(env.portHome).hostServices[0], {what: 'registered'});
	return {repo, env, logical, service};
}

describe('honest URLs', () => {
	it('port urls prints the direct URL of a host service beside the routed one, with no note when routing works', async () => {
		const dns = await startDnsmasq('port');
		const {repo, env, logical, service} = await withHostService({PORT_RESOLVER: `127.0.0.1:${dns.port}`});
		const result = await port(['urls'], repo, env);
		expect(result.code).toBe(0);
		expect(result.stdout).toBe(`host:${logical}  http://app.port:${logical}  direct: http://localhost:${service.actualPort}\n`);
		expect(result.stderr).toBe('');
	});

	it('says once why the routed URLs do not work: a name that does not resolve, or Traefik not running', async () => {
		const hosts = path.join(tempDir(), 'hosts');
		writeFileSync(hosts, '127.0.0.1 localhost\n');
		const {repo, env, logical, service} = await withHostService({PORT_RESOLVER: 'hosts', PORT_HOSTS_FILE: hosts});
		const result = await port(['urls'], repo, env);
		expect(result.stdout).toContain(`direct: http://localhost:${service.actualPort}`);
		expect(result.stderr).toBe("port: note: app.port does not resolve to 127.0.0.1 (run 'port install', or see 'port doctor'): the URLs above do not work now; the direct ones do\n");
		const single = await port(["urls", `host:${logical}`], repo, env);
		expect(single.stdout).toBe(`http://app.port:${logical}\n`);
		expect(single.stderr).toBe(`port: note: app.port does not resolve to 127.0.0.1 (run 'port install', or see 'port doctor'); direct: http://localhost:${service.actualPort}\n`);

		const stopped = await port(['urls'], repo, {...env, dockerBin: fakeDocker({traefikRunning: false}).bin});
		expect(stopped.stderr).toBe('port: note: routing is off (Traefik is not running): the URLs above do not work now; the direct ones do\n');
	});

	it('port run puts its hostname into the hosts-file block of a hosts-mode install', async () => {
		const {hosts, extra, portHome} = await hostsModeInstall();
		const repo = makeRepo('app');
		const env: CliEnv = {portHome, dockerBin: fakeDocker().bin, extra};
		expect((await port(['init'], repo, env)).code).toBe(0);
		const logical = await freeTcpPort();
		const run = startPort(['run', String(logical), '--', process.execPath, server, 'x'], repo, env);
		await waitFor(() => readFileSync(hosts, 'utf8').includes('127.0.0.1 app.port\n'), {what: 'app.port in the hosts block'});
		// Routed URL resolves now (through the hosts file): no note.
		expect((await port(['urls'], repo, env)).stderr).toBe('');
		run.kill('SIGTERM');
	});
});
