import {readFileSync} from 'node:fs';
import path from 'node:path';
import {Ajv} from 'ajv';
import {describe, expect, it} from 'vitest';
import {parseComposeFile} from '../source/core/compose/compose-file.js';
import {parseDotEnv} from '../source/core/compose/env-file.js';
import {interpolate, type Env} from '../source/core/compose/interpolate.js';
import {composeProjectName, containerNameFor, routerName} from '../source/core/compose/names.js';
import {planOverride} from '../source/core/compose/override-plan.js';
import {parsePortEntry} from '../source/core/compose/ports-syntax.js';
import {parsePsOutput} from '../source/core/compose/status.js';
import {compareVersions} from '../source/core/compose/version.js';
import {mapLimit} from '../source/core/map-limit.js';
import {PortError} from '../source/core/errors.js';
import {shortHash} from '../source/core/names.js';
import {schemasDir} from './helpers/env.js';

const ports = (entry: unknown, env: Env = {}) => parsePortEntry(entry, 'f: p', env, []).map(p => `${p.published}>${p.target}/${p.protocol}`);

describe('ports syntax', () => {
	it('parses every short and long form', () => {
		expect(ports('3000')).toEqual(['3000>3000/tcp']);
		expect(ports(3000)).toEqual(['3000>3000/tcp']);
		expect(ports('3000:8080')).toEqual(['3000>8080/tcp']);
		expect(ports('127.0.0.1:3000:8080')).toEqual(['3000>8080/tcp']);
		expect(ports('127.0.0.1::8080')).toEqual(['8080>8080/tcp']);
		expect(ports('[::1]:3000:8080')).toEqual(['3000>8080/tcp']);
		expect(ports('3000-3002:8000-8002')).toEqual(['3000>8000/tcp', '3001>8001/tcp', '3002>8002/tcp']);
		expect(ports('9000-9001')).toEqual(['9000>9000/tcp', '9001>9001/tcp']);
		expect(ports('5353:53/udp')).toEqual(['5353>53/udp']);
		expect(ports('80/TCP')).toEqual(['80>80/tcp']);
		expect(ports({target: 80, published: 8080})).toEqual(['8080>80/tcp']);
		expect(ports({target: '80', published: '8080-8081', protocol: 'tcp'})).toEqual(['8080>80/tcp']);
		expect(ports({target: 53, protocol: 'udp'})).toEqual(['53>53/udp']);
	});

	it('interpolates from the environment with defaults', () => {
		expect(ports('${WEB_PORT:-3000}:80')).toEqual(['3000>80/tcp']);
		expect(ports('${WEB_PORT:-3000}:80', {WEB_PORT: '4000'})).toEqual(['4000>80/tcp']);
		expect(ports('$WEB_PORT:80', {WEB_PORT: '4001'})).toEqual(['4001>80/tcp']);
		expect(ports('${A:-${B:-5000}}:80')).toEqual(['5000>80/tcp']);
	});

	it('explains bad ports and unset variables in one line (exit 3)', () => {
		const fail = (entry: unknown, env: Env = {}) => {
			try {
				parsePortEntry(entry, 'docker-compose.yml: services.web.ports[0]', env, []);
			} catch (error) {
				expect(error).toBeInstanceOf(PortError);
				expect((error as PortError).exitCode).toBe(3);
				expect((error as PortError).message).not.toContain('\n');
				return (error as PortError).message;
			}
			throw new Error('expected a failure');
		};
		expect(fail('${WEB_PORT}:80')).toContain('variable WEB_PORT is not set');
		expect(fail('${WEB_PORT:?set WEB_PORT}:80')).toContain('set WEB_PORT');
		expect(fail('abc')).toContain('invalid port "abc"');
		expect(fail('70000:80')).toContain('out of range');
		expect(fail('3000-3001:80-82')).toContain('differ in size');
		expect(fail({published: 80})).toContain('needs "target"');
		expect(fail('80/quic')).toContain('unknown protocol');
	});
});

describe('interpolation and .env', () => {
	it('handles $$, :-, -, :+, + like Compose', () => {
		expect(interpolate('a$$b', {})).toBe('a$b');
		expect(interpolate('${X-d}', {X: ''})).toBe('');
		expect(interpolate('${X:-d}', {X: ''})).toBe('d');
		expect(interpolate('${X:+alt}', {X: 'v'})).toBe('alt');
		expect(interpolate('${X+alt}', {})).toBe('');
	});
	it('parses .env files', () => {
		expect(parseDotEnv('# c\nA=1\nexport B="two # not comment"\nC=three # comment\nD=\'q\'\n')).toEqual({A: '1', B: 'two # not comment', C: 'three', D: 'q'});
	});
});

const sample = `
x-common: &common
  image: port-test/busybox:local
services:
  web:
    <<: *common
    ports: ["3000:8080", "5353:53/udp"]
  db:
    <<: *common
    container_name: shared-db
    networks: [back]
    ports:
      - target: 5432
        published: "\${DB_PORT:-5432}"
  worker:
    image: x
    container_name: w
  hostnet:
    image: x
    network_mode: host
    ports: ["9999:9999"]
networks:
  back: {}
`;

describe('compose file and override', () => {
	const ctx = {repoRoot: '/repos/app', worktree: 'feature-a', domain: 'port'};
	const compose = () => parseComposeFile(sample, 'docker-compose.yml', {});

	it('rejects files that are not YAML or have no services with exit 3', () => {
		const code = (text: string) => {
			try {
				parseComposeFile(text, 'docker-compose.yml', {});
				return 'ok';
			} catch (error) {
				return `${(error as PortError).exitCode} ${(error as PortError).message}`;
			}
		};
		expect(code('services: [\n  - a\n  b: :')).toMatch(/^3 docker-compose.yml:\d+: not valid YAML/);
		expect(code('version: "3"\n')).toBe('3 docker-compose.yml: no "services" section; nothing to run.');
		expect(code('just a string')).toMatch(/^3 docker-compose.yml: not a Compose file/);
		expect(code('services: [a, b]')).toMatch(/^3 .*"services" must be a mapping/);
		expect(code('services:\n  web:\n    ports: "3000:80"')).toMatch(/^3 .*ports must be a list/);
	});

	it('writes ports: !reset [] with the tag, labels, networks and unique names', () => {
		const plan = planOverride(compose(), ctx);
		expect(plan.text).toMatch(/^ {4}ports: !reset \[\]$/m);
		expect(plan.text.match(/!reset \[\]/g)).toHaveLength(1);
		expect(plan.routes.map(r => `${r.service}:${r.published}>${r.target}`)).toEqual(['web:3000>8080']);
		// 5432 is not HTTP: a loopback host port (chosen by port up; 0 here), no router.
		expect(plan.tcp).toEqual([{service: 'db', published: 5432, target: 5432, hostPort: 0}]);
		expect(plan.text).toMatch(/^ {4}ports: !override \[ "?127\.0\.0\.1:0:5432"? \]$/m);
		const web = (plan.data['services'] as Record<string, Record<string, unknown>>)['web']!;
		const router = routerName(ctx, 'web', 3000);
		expect(web['ports']).toEqual([]);
		expect(web['networks']).toEqual({default: {}, 'traefik-network': {}});
		expect(web['labels']).toEqual({
			'traefik.enable': 'true',
			'port.managed': 'true',
			'traefik.docker.network': 'traefik-network',
			[`traefik.http.routers.${router}.rule`]: 'Host(`feature-a.port`)',
			[`traefik.http.routers.${router}.entrypoints`]: 'port3000',
			[`traefik.http.routers.${router}.service`]: router,
			[`traefik.http.services.${router}.loadbalancer.server.port`]: '8080',
		});
		const db = (plan.data['services'] as Record<string, Record<string, unknown>>)['db']!;
		const hash = shortHash('/repos/app', 6);
		expect(db['container_name']).toBe(`shared-db-feature-a-${hash}`);
		// The fixed name stays reachable by the services that used it: an alias on its own networks.
		expect(db['networks']).toEqual({back: {aliases: ['shared-db']}});
		expect(db['labels']).toBeUndefined();
		expect((plan.data['services'] as Record<string, Record<string, unknown>>)['worker']).toEqual({
			container_name: `w-feature-a-${hash}`,
			networks: {default: {aliases: ['w']}},
		});
		expect((plan.data['services'] as Record<string, unknown>)['hostnet']).toBeUndefined();
		expect(plan.data['networks']).toEqual({'traefik-network': {external: true, name: 'traefik-network'}});
		expect(plan.notes.join('\n')).toContain('5353:53/udp is not published');
		expect(plan.notes.join('\n')).toContain('network_mode "host"');
	});

	it('non-HTTP ports: guessed from well-known ports and images, overridden per published port, lan binds every interface', () => {
		const file = parseComposeFile(
			'services:\n  pg:\n    image: postgres:16\n    ports: ["5433:5433"]\n  cache:\n    image: example/cache\n    ports: ["6379:6379"]\n  api:\n    image: node:20\n    ports: ["3000:3000", "9229:9229"]\n',
			'docker-compose.yml',
			{},
		);
		const tcp = (extra: object = {}) => planOverride(file, {...ctx, tcpHostPorts: {'5433': 55_433, '6379': 56_379, '9229': 59_229}, ...extra});
		expect(tcp().tcp.map(t => `${t.service}:${t.published}>${t.hostPort}`)).toEqual(['pg:5433>55433', 'cache:6379>56379']);
		expect(tcp().routes.map(r => `${r.service}:${r.published}`)).toEqual(['api:3000', 'api:9229']);
		const overridden = tcp({protocols: {'9229': 'tcp', '6379': 'http'}});
		expect(overridden.tcp.map(t => `${t.service}:${t.published}`)).toEqual(['pg:5433', 'api:9229']);
		expect(overridden.routes.map(r => `${r.service}:${r.published}`)).toEqual(['cache:6379', 'api:3000']);
		const services = (plan: ReturnType<typeof tcp>) => plan.data['services'] as Record<string, {ports?: unknown}>;
		expect(services(overridden)['api']!.ports).toEqual(['127.0.0.1:59229:9229']);
		expect(services(tcp({lan: true}))['pg']!.ports).toEqual(['55433:5433']);
	});

	it('router names differ per repository, worktree, service and port', () => {
		const names = new Set([
			routerName(ctx, 'web', 3000),
			routerName({...ctx, repoRoot: '/other/app'}, 'web', 3000),
			routerName({...ctx, worktree: 'feature-b'}, 'web', 3000),
			routerName(ctx, 'api', 3000),
			routerName(ctx, 'web', 3001),
			routerName(ctx, 'we.b', 3000),
			routerName(ctx, 'we_b', 3000),
		]);
		expect(names.size).toBe(7);
		for (const name of names) expect(name).toMatch(/^[a-z0-9-]+$/);
	});

	it('fixed container names differ per repository and worktree, and stay valid and readable', () => {
		const names = new Set([
			containerNameFor('db', {repoRoot: '/x/one', worktree: 'feature-a'}),
			containerNameFor('db', {repoRoot: '/x/two', worktree: 'feature-a'}),
			containerNameFor('db', {repoRoot: '/x/one', worktree: 'feature-b'}),
		]);
		expect(names.size).toBe(3);
		for (const name of names) expect(name).toMatch(/^db-feature-[ab]-[0-9a-f]{6}$/);
		// Two repositories with `container_name: db` and a feature-a worktree: distinct overrides.
		const one = planOverride(compose(), {...ctx, repoRoot: '/x/one'}).data['services'] as Record<string, Record<string, unknown>>;
		const two = planOverride(compose(), {...ctx, repoRoot: '/x/two'}).data['services'] as Record<string, Record<string, unknown>>;
		expect(one['db']!['container_name']).not.toBe(two['db']!['container_name']);
		expect(String(one['db']!['container_name'])).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/);
	});

	it('the override validates against the Compose spec schema', () => {
		const ajv = new Ajv({validateSchema: false, strict: false});
		const validate = ajv.compile(JSON.parse(readFileSync(path.join(schemasDir, 'compose-spec.json'), 'utf8')) as object);
		const data = planOverride(compose(), ctx).data;
		expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
		expect(validate({services: {web: {ports: 'nope'}}})).toBe(false);
	});
});

describe('compose project helpers', () => {
	it('project names are valid, per repository and worktree', () => {
		const a = composeProjectName('/r1/My App', 'feature-a');
		expect(a).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
		expect(a.startsWith('my-app-feature-a-')).toBe(true);
		expect(composeProjectName('/r2/My App', 'feature-a')).not.toBe(a);
	});
	it('compares versions', () => {
		expect(compareVersions('2.26.1-4', '2.18.0')).toBeGreaterThan(0);
		expect(compareVersions('2.17.3', '2.18.0')).toBeLessThan(0);
		expect(compareVersions('2.18', '2.18.0')).toBe(0);
	});
	it('reads compose ps output as JSON lines (2.26) and as an array (newer)', () => {
		const rows = [{Name: 'a-web-1', Service: 'web', State: 'running'}, {Name: 'a-db-1', Service: 'db', State: 'exited'}];
		expect(parsePsOutput(rows.map(r => JSON.stringify(r)).join('\n') + '\n')).toEqual(rows);
		expect(parsePsOutput(JSON.stringify(rows))).toEqual(rows);
		expect(parsePsOutput('\n')).toEqual([]);
	});
	it('mapLimit keeps order and bounds concurrency', async () => {
		let running = 0;
		let peak = 0;
		const out = await mapLimit([5, 1, 3, 2, 4, 0], 2, async n => {
			peak = Math.max(peak, ++running);
			await new Promise(resolve => setTimeout(resolve, n * 3));
			running--;
			return n * 10;
		});
		expect(out).toEqual([50, 10, 30, 20, 40, 0]);
		expect(peak).toBe(2);
	});
});
