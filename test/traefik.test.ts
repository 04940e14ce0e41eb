import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {parse} from 'yaml';
import {afterEach, describe, expect, it} from 'vitest';
import {explainFailure} from '../source/core/docker/cli.js';
import {finished, port, readRegistryFile, startPort, type CliEnv} from './helpers/cli.js';
import {addWorktree, fakeDocker, makeRepo, onCleanup, runCleanups, tempDir, waitFor} from './helpers/env.js';

afterEach(() => runCleanups());

const traefikFile = (home: string, name: string) => path.join(home, 'traefik', name);
const read = (home: string, name: string) => readFileSync(traefikFile(home, name), 'utf8');
const applied = (home: string) => JSON.parse(read(home, 'applied.json')) as {ports: number[]; hash: string};
const composeUps = (calls: string[][]) => calls.filter(c => c[0] === 'compose' && c.includes('up'));

/** A program holding a port on the host, on :: (dual-stack, so 0.0.0.0 is taken too). */
async function holdPort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen({port: 0, host: '::'}, resolve);
	});
	onCleanup(() => server.close());
	return (server.address() as net.AddressInfo).port;
}

describe('ensureTraefik: a logical port another program holds on the host (A)', () => {
	it('tests probe no host port by default: a held port does not refuse port up', async () => {
		// What keeps the suite passing while the developer's own servers hold :3000 or :5432.
		const held = await holdPort();
		const env: CliEnv = {portHome: tempDir('port-home-'), dockerBin: fakeDocker().bin};
		const repo = makeRepo('app');
		writeFileSync(path.join(repo, 'docker-compose.yml'), `services:\n  web:\n    image: port-test/busybox:local\n    ports: ["${held}:8080"]\n`);
		expect((await port(['init'], repo, env)).code).toBe(0);
		const result = await port(['up'], repo, env);
		expect(result.code, result.stderr).toBe(0);
		expect(read(env.portHome, 'traefik.yml')).toContain(`port${held}`);
	});

	it('port run refuses to route it with a clear warning, touches neither the files nor Traefik, and other ports keep working', async () => {
		const portHome = tempDir('port-home-');
		const docker = fakeDocker();
		const held = await holdPort();
		// The real probe for :held only; 3001/3002 count as free even if the developer's machine uses them.
		const env: CliEnv = {portHome, dockerBin: docker.bin, extra: {PORT_TEST_PROBED_PORTS: String(held)}};
		const repo = makeRepo('app');
		expect((await port(['run', '3001', '--', 'true'], repo, env)).code).toBe(0);
		const staticBefore = read(portHome, 'traefik.yml');
		const composeBefore = read(portHome, 'docker-compose.yml');

		const callsBefore = docker.calls().length;
		const blocked = startPort(['run', String(held), '--', 'sleep', '30'], repo, env);
		await waitFor(() => readRegistryFile(portHome).hostServices.find(s => s.logicalPort === held), {what: `:${held} registered`});
		await waitFor(() => blocked.output.stderr.includes('Routing for'), {what: 'the warning'});
		expect(blocked.output.stderr).toContain(`port ${held} is in use on this host by another program; Traefik cannot listen there. Routing for :${held} is off; stop that program or use another logical port.`);
		expect(read(portHome, 'traefik.yml')).toBe(staticBefore);
		expect(read(portHome, 'docker-compose.yml')).toBe(composeBefore);
		expect(composeUps(docker.calls().slice(callsBefore))).toEqual([]);

		// While :held stays registered, another worktree's new port still gets its entrypoint.
		const tree = addWorktree(repo, 'feature-1');
		const other = await port(['run', '3002', '--', 'sleep', '0.5'], tree, env);
		expect(other.code, other.stderr).toBe(0);
		expect(other.stderr).not.toContain('warning');
		const staticAfter = read(portHome, 'traefik.yml');
		expect(staticAfter).toContain('port3001');
		expect(staticAfter).toContain('port3002');
		expect(staticAfter).not.toContain(`port${held}`);
		expect(applied(portHome).ports).toEqual([3001, 3002]);

		blocked.kill('SIGTERM');
		await finished(blocked);
	});

	it('port up refuses a published port another program holds: exit 4, nothing written', async () => {
		const held = await holdPort();
		const portHome = tempDir('port-home-');
		const docker = fakeDocker();
		const env: CliEnv = {portHome, dockerBin: docker.bin, extra: {PORT_TEST_PROBED_PORTS: String(held)}};
		const repo = makeRepo('app');
		writeFileSync(path.join(repo, 'docker-compose.yml'), `services:\n  web:\n    image: port-test/busybox:local\n    ports: ["${held}:8080"]\n`);
		expect((await port(['init'], repo, env)).code).toBe(0);
		const result = await port(['up'], repo, env);
		expect(result.code, result.stderr).toBe(4);
		expect(result.stderr).toContain(`port ${held} is in use on this host by another program; Traefik cannot listen there.`);
		expect(existsSync(path.join(repo, '.port', 'override.yml'))).toBe(false);
		expect(existsSync(traefikFile(portHome, 'traefik.yml'))).toBe(false);
		expect(readRegistryFile(portHome).projects).toEqual([]);
		expect(composeUps(docker.calls())).toEqual([]);
	});

	it('a failed recreate puts the previous files back and brings the previous Traefik up again; the warning is the error line', async () => {
		const portHome = tempDir('port-home-');
		const docker = fakeDocker({
			script: `case "$*" in
  *" up -d --remove-orphans") if grep -q "3002:3002" "$5"; then echo " Container port-traefik  Recreate" >&2; echo "Error response from daemon: driver failed programming external connectivity on endpoint port-traefik: Bind for 0.0.0.0:3002 failed: port is already allocated" >&2; exit 1; fi;;
esac`,
		});
		// Docker's port publishing is what fails here: the bridge-network Traefik (Docker Desktop).
		const env: CliEnv = {portHome, dockerBin: docker.bin, extra: {PORT_TRAEFIK_NETWORK: 'bridge'}};
		const repo = makeRepo('app');
		expect((await port(['run', '3001', '--', 'true'], repo, env)).code).toBe(0);
		const staticBefore = read(portHome, 'traefik.yml');
		const composeBefore = read(portHome, 'docker-compose.yml');
		const appliedBefore = applied(portHome);

		const callsBefore = docker.calls().length;
		const result = await port(['run', '3002', '--', 'sleep', '0.5'], repo, env);
		expect(result.code).toBe(0);
		expect(result.stderr).toContain('Bind for 0.0.0.0:3002 failed: port is already allocated');
		expect(result.stderr).not.toContain('Recreate');
		expect(result.stderr).toContain('The previous Traefik configuration is running again.');
		expect(read(portHome, 'traefik.yml')).toBe(staticBefore);
		expect(read(portHome, 'docker-compose.yml')).toBe(composeBefore);
		expect(applied(portHome)).toEqual(appliedBefore);
		// The failed recreate, then the one that restores the previous Traefik.
		expect(composeUps(docker.calls().slice(callsBefore))).toHaveLength(2);
	});
});

describe('ensureTraefik: the quick path trusts what was applied, not traefik.yml (B)', () => {
	it('an entrypoint written while Docker was unreachable is applied (Traefik recreated) once Docker is back, then never again', async () => {
		const portHome = tempDir('port-home-');
		const down = path.join(tempDir('port-flag-'), 'engine-down');
		const docker = fakeDocker({
			script: `if [ -f "${down}" ]; then echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1; fi`,
		});
		const env: CliEnv = {portHome, dockerBin: docker.bin};
		const repo = makeRepo('app');
		expect((await port(['run', '3001', '--', 'true'], repo, env)).code).toBe(0);
		expect(applied(portHome).ports).toEqual([3001]);

		writeFileSync(down, '');
		const offline = await port(['run', '3002', '--', 'sleep', '0.5'], repo, env);
		expect(offline.code).toBe(0);
		expect(offline.stderr).toContain('Docker engine is not reachable');
		expect(read(portHome, 'traefik.yml')).toContain('port3002');
		expect(applied(portHome).ports).toEqual([3001]);

		rmSync(down);
		let before = docker.calls().length;
		const back = await port(['run', '3002', '--', 'sleep', '0.5'], repo, env);
		expect(back.code).toBe(0);
		expect(back.stderr).not.toContain('warning');
		expect(composeUps(docker.calls().slice(before))).toHaveLength(1);
		expect(applied(portHome).ports).toEqual([3001, 3002]);

		before = docker.calls().length;
		expect((await port(['run', '3002', '--', 'true'], repo, env)).code).toBe(0);
		expect(docker.calls().slice(before).filter(c => c[0] !== 'inspect')).toEqual([]);
	});

	it('without a record of what was applied (an older port, or a failed up), Traefik is recreated once', async () => {
		const portHome = tempDir('port-home-');
		const docker = fakeDocker();
		const env: CliEnv = {portHome, dockerBin: docker.bin};
		const repo = makeRepo('app');
		expect((await port(['run', '3001', '--', 'true'], repo, env)).code).toBe(0);
		rmSync(traefikFile(portHome, 'applied.json'));
		let before = docker.calls().length;
		expect((await port(['run', '3001', '--', 'true'], repo, env)).code).toBe(0);
		expect(composeUps(docker.calls().slice(before))).toHaveLength(1);
		before = docker.calls().length;
		expect((await port(['run', '3001', '--', 'true'], repo, env)).code).toBe(0);
		expect(composeUps(docker.calls().slice(before))).toEqual([]);
	});
});

describe('explainFailure', () => {
	it('prefers the line that looks like an error over Compose progress lines', () => {
		const error = explainFailure(
			{exitCode: 1, stdout: '', stderr: ' Container port-traefik  Recreate\n Container port-traefik  Recreated\n Container port-traefik  Starting\nError response from daemon: Bind for 0.0.0.0:4000 failed: port is already allocated\n'},
			'Starting Traefik (docker compose up)',
		);
		expect(error.message).toBe('Starting Traefik (docker compose up) failed: Error response from daemon: Bind for 0.0.0.0:4000 failed: port is already allocated.');
	});

	it('falls back to the first line when none looks like an error', () => {
		expect(explainFailure({exitCode: 1, stdout: '', stderr: 'something odd\nmore\n'}, 'x').message).toBe('x failed: something odd.');
	});
});

describe('generated Traefik files: loopback by default, "lan" opt-in, static changes recreate', () => {
	const staticOf = (home: string) => parse(read(home, 'traefik.yml')) as {entryPoints: Record<string, {address: string}>; providers: {providersThrottleDuration: string; docker: {constraints: string}}};
	const composeOf = (home: string) => parse(read(home, 'docker-compose.yml')) as {services: {traefik: {network_mode?: string; ports?: string[]; labels: Record<string, string>}}};

	it('entrypoints bind 127.0.0.1 unless the project says "lan": true; the static hash label follows traefik.yml', async () => {
		const portHome = tempDir('port-home-');
		const docker = fakeDocker();
		const env: CliEnv = {portHome, dockerBin: docker.bin};
		const repo = makeRepo('app');
		expect((await port(['run', '3001', '--', 'true'], repo, env)).code).toBe(0);
		const first = staticOf(portHome);
		expect(first.entryPoints['port3001']!.address).toBe('127.0.0.1:3001');
		expect(first.providers.docker.constraints).toBe('Label(`port.managed`,`true`)');
		expect(first.providers.providersThrottleDuration).toBe('10ms');
		const hashBefore = composeOf(portHome).services.traefik.labels['port.static-hash'];

		const lanRepo = makeRepo('lanapp');
		mkdirSync(path.join(lanRepo, '.port'), {recursive: true});
		writeFileSync(path.join(lanRepo, '.port', 'config.jsonc'), '{"lan": true}\n');
		const lan = await port(['run', '3002', '--', 'sleep', '0.5'], lanRepo, env);
		expect(lan.code, lan.stderr).toBe(0);
		expect(lan.stderr).toContain('"lan": true in .port/config.jsonc: Traefik listens on every interface for :3002');
		const second = staticOf(portHome);
		expect(second.entryPoints['port3001']!.address).toBe('127.0.0.1:3001');
		expect(second.entryPoints['port3002']!.address).toBe(':3002');
		expect(composeOf(portHome).services.traefik.labels['port.static-hash']).not.toBe(hashBefore);
		expect(applied(portHome)).toMatchObject({ports: [3001, 3002], lan: [3002]});
	});

	it('bridge networking (Docker Desktop): ports published on 127.0.0.1 only, N:N with "lan"', async () => {
		const portHome = tempDir('port-home-');
		const env: CliEnv = {portHome, dockerBin: fakeDocker().bin, extra: {PORT_TRAEFIK_NETWORK: 'bridge'}};
		const repo = makeRepo('app');
		expect((await port(['run', '3001', '--', 'true'], repo, env)).code).toBe(0);
		expect(composeOf(portHome).services.traefik.ports).toEqual(['127.0.0.1:3001:3001']);
		expect(composeOf(portHome).services.traefik.network_mode).toBeUndefined();
		mkdirSync(path.join(repo, '.port'), {recursive: true});
		writeFileSync(path.join(repo, '.port', 'config.jsonc'), '{"lan": true}\n');
		expect((await port(['run', '3003', '--', 'true'], repo, env)).code).toBe(0);
		// Only the port a "lan" project uses now is exposed; 3001 (no longer used) stays on loopback.
		expect(composeOf(portHome).services.traefik.ports).toEqual(['127.0.0.1:3001:3001', '3003:3003']);
	});

	it('a new Traefik image (or a new port version) is applied by the next port run even when no entrypoint is added', async () => {
		const portHome = tempDir('port-home-');
		const docker = fakeDocker();
		const env: CliEnv = {portHome, dockerBin: docker.bin};
		const repo = makeRepo('app');
		expect((await port(['run', '3001', '--', 'true'], repo, env)).code).toBe(0);
		let before = docker.calls().length;
		const other = {...env, extra: {PORT_TRAEFIK_IMAGE: 'example/traefik:other'}};
		const result = await port(['run', '3001', '--', 'true'], repo, other);
		expect(result.code, result.stderr).toBe(0);
		expect(composeUps(docker.calls().slice(before))).toHaveLength(1);
		expect(read(portHome, 'docker-compose.yml')).toContain('image: example/traefik:other');
		before = docker.calls().length;
		expect((await port(['run', '3001', '--', 'true'], repo, other)).code).toBe(0);
		expect(composeUps(docker.calls().slice(before))).toEqual([]);
	});

	it('a bad "lan" or "ports" value is a config error (exit 3, one line)', async () => {
		const env: CliEnv = {portHome: tempDir('port-home-'), dockerBin: fakeDocker().bin};
		const repo = makeRepo('app');
		mkdirSync(path.join(repo, '.port'), {recursive: true});
		for (const [config, message] of [
			['{"lan": "yes"}', '"lan" must be true or false, got "yes"'],
			['{"ports": {"5432": "postgres"}}', '"ports"."5432" must be "http" or "tcp", got "postgres"'],
			['{"ports": {"db": "tcp"}}', '"ports" key "db" is not a port number'],
		] as const) {
			writeFileSync(path.join(repo, '.port', 'config.jsonc'), config);
			const result = await port(['run', '3001', '--', 'true'], repo, env);
			expect(result.code).toBe(3);
			expect(result.stderr).toContain(message);
		}
	});
});
