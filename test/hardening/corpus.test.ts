// Hardening: a table of bad inputs. Each must end with the documented exit code and a one-line
// message (plus at most a hint line), no stack trace unless PORT_DEBUG=1, and nothing lost: no
// registry entry dropped, no half-written (.tmp) file left. Every run has stdin closed and CI=true.
import {afterEach, describe, expect, it} from 'vitest';
import {existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {parseOverride} from '../../source/core/compose/override-plan.js';
import {port, readRegistryFile} from '../helpers/cli.js';
import {runCleanups} from '../helpers/env.js';
import {config, liveEntry, registryPath, runBad, scene, tempFiles, writeRegistry, type BadInput, type Scene} from './cases.js';

afterEach(() => runCleanups());

const usage = 2;
const configCode = 3;
const conflict = 4;

const runUsage = /Usage: port run|port run --help/;

const argumentCases: BadInput[] = [
	{name: 'run without --', args: ['run', '3000', 'true'], code: usage, message: /Missing '--' before the command|Unexpected argument/},
	{name: 'run port 0', args: ['run', '0', '--', 'true'], code: usage, message: /Invalid port "0"/},
	{name: 'run port 65536', args: ['run', '65536', '--', 'true'], code: usage, message: /Invalid port "65536"/},
	{name: 'run port 3e3', args: ['run', '3e3', '--', 'true'], code: usage, message: /Invalid port "3e3"/},
	{name: 'run port -1', args: ['run', '-1', '--', 'true'], code: usage, message: /Unknown flag --1|Invalid port "-1"|Missing <logical-port>/},
	{name: 'run port " 3000"', args: ['run', ' 3000', '--', 'true'], code: usage, message: /Invalid port " 3000"/},
	{name: 'run port 3000.5', args: ['run', '3000.5', '--', 'true'], code: usage, message: /Invalid port "3000.5"/},
	{name: 'run port 0x10', args: ['run', '0x10', '--', 'true'], code: usage, message: /Invalid port "0x10"/},
	{name: 'run port abc', args: ['run', 'abc', '--', 'true'], code: usage, message: /Invalid port "abc"/},
	{name: 'run without a port', args: ['run', '--', 'true'], code: usage, message: /Missing <logical-port>/},
	{name: 'run with an empty command', args: ['run', '3000', '--'], code: usage, message: /Missing command after --/},
	{name: 'run with an empty-string command', args: ['run', '3000', '--', ''], code: usage, message: /Missing command after --/},
	{name: 'run with two ports', args: ['run', '3000', '4000', '--', 'true'], code: usage, message: /Unexpected argument "4000"/},
	{name: 'run with an unknown flag', args: ['run', '3000', '--bogus', '--', 'true'], code: usage, message: /Unknown flag --bogus for 'port run'/},
	{name: 'run with an unknown short flag', args: ['run', '-x', '3000', '--', 'true'], code: usage, message: /Unknown flag --x for 'port run'/},
	{name: 'run with --replace=maybe', args: ['run', '3000', '--replace=maybe', '--', 'true'], code: usage, message: /Flag --replace takes no value \(got "maybe"\)/},
	{name: 'unknown top-level flag', args: ['--bogus'], code: usage, message: /Unknown flag --bogus/},
	{name: 'nothing before --', args: ['--', 'echo', 'hi'], code: usage, message: /Missing command before --/},
	{name: 'list with an unknown flag', args: ['list', '--bogus'], code: usage, message: /Unknown flag --bogus for 'port list'/},
	{name: 'kill port 0', args: ['kill', '0'], code: usage, message: /Invalid port "0"/},
	{name: 'kill port abc', args: ['kill', 'abc'], code: usage, message: /Invalid port "abc"/},
	{name: 'kill with an unknown flag', args: ['kill', '--all', '--force'], code: usage, message: /Unknown flag --force for 'port kill'/},
	{name: 'init with an unknown flag', args: ['init', '--yes'], code: usage, message: /Unknown flag --yes for 'port init'/},
	{name: 'enter without a branch', args: ['enter'], code: usage, message: /branch/i},
	{name: 'shell-hook for an unknown shell', args: ['shell-hook', 'powershell'], code: usage, message: /bash|zsh|fish/},
];

const configCases: BadInput[] = [
	{name: 'config is not JSONC', setup: s => config(s, '{"domain": "port"'), args: ['run', '3000', '--', 'true'], code: configCode, message: /config\.jsonc:\d+: invalid JSONC/},
	{name: 'config is an array', setup: s => config(s, '["port"]'), args: ['run', '3000', '--', 'true'], code: configCode, message: /expected an object/},
	{name: 'config is empty', setup: s => config(s, ''), args: ['list'], code: configCode, message: /expected an object|invalid JSONC/},
	{name: 'config domain is a number', setup: s => config(s, '{"domain": 42}'), args: ['run', '3000', '--', 'true'], code: configCode, message: /"domain" must be a string, got 42/},
	{name: 'config compose is a boolean', setup: s => config(s, '{"compose": true}'), args: ['list'], code: configCode, message: /"compose" must be a string, got true/},
	{name: 'config has an unknown key', setup: s => config(s, '{"domian": "port"}'), args: ['list'], code: configCode, message: /unknown key "domian"/},
	{name: 'domain with a space', setup: s => config(s, '{"domain": "my port"}'), args: ['run', '3000', '--', 'true'], code: configCode, message: /domain "my port" is invalid: it contains white space/},
	{name: 'domain with uppercase', setup: s => config(s, '{"domain": "Port"}'), args: ['run', '3000', '--', 'true'], code: configCode, message: /uppercase/},
	{name: 'domain with a trailing dot', setup: s => config(s, '{"domain": "port."}'), args: ['run', '3000', '--', 'true'], code: configCode, message: /ends with a dot/},
	{name: 'domain empty', setup: s => config(s, '{"domain": ""}'), args: ['list'], code: configCode, message: /it is empty/},
	{name: 'domain with an empty label', setup: s => config(s, '{"domain": "a..b"}'), args: ['list'], code: configCode, message: /not a valid DNS label/},
	{name: 'domain with a leading hyphen label', setup: s => config(s, '{"domain": "-port"}'), args: ['list'], code: configCode, message: /not a valid DNS label/},
	{name: 'domain with an underscore', setup: s => config(s, '{"domain": "my_port"}'), args: ['list'], code: configCode, message: /not a valid DNS label/},
	{name: 'compose empty', setup: s => config(s, '{"compose": "  "}'), args: ['list'], code: configCode, message: /"compose" must not be empty/},
];

/** Registry fixtures: the original must survive (backup, or untouched), never silently emptied. */
const registryCases: BadInput[] = [
	{
		name: 'registry is not JSON',
		setup: s => writeRegistry(s, '{"hostServices": [ oops'),
		args: ['list', '--json'],
		code: 0,
		message: /registry .* was unusable \(it is not valid JSON\); it was moved to .*registry\.json\.corrupt-/,
		extraLines: 0,
		check: s => {
			const backups = readdirSync(s.portHome).filter(f => f.startsWith('registry.json.corrupt-'));
			expect(backups).toHaveLength(1);
			expect(readFileSync(path.join(s.portHome, backups[0]!), 'utf8')).toBe('{"hostServices": [ oops');
		},
	},
	{
		name: 'registry is JSON of the wrong shape',
		setup: s => writeRegistry(s, '{"version": 1, "hostServices": {"a": 1}}'),
		args: ['list', '--json'],
		code: 0,
		message: /"hostServices" is not an array/,
		check: s => expect(readdirSync(s.portHome).some(f => f.startsWith('registry.json.corrupt-'))).toBe(true),
	},
	{
		name: 'registry is a JSON array',
		setup: s => writeRegistry(s, '[1, 2, 3]'),
		args: ['list'],
		code: 0,
		message: /not a JSON object/,
		check: s => expect(readdirSync(s.portHome).some(f => f.startsWith('registry.json.corrupt-'))).toBe(true),
	},
	{
		name: 'registry from a future version',
		setup: s => writeRegistry(s, '{"version": 99, "hostServices": [], "projects": [], "future": true}'),
		args: ['run', '3000', '--', 'true'],
		code: configCode,
		message: /written by a newer port \(registry version 99, this port knows 1\); upgrade port\. Nothing was changed\./,
		check: s => expect(readFileSync(registryPath(s), 'utf8')).toBe('{"version": 99, "hostServices": [], "projects": [], "future": true}'),
	},
	{
		name: 'registry with one malformed entry next to a live one',
		setup: s => {
			const live = liveEntry(s);
			writeRegistry(s, JSON.stringify({version: 1, projects: [], hostServices: [live, {id: 'broken', pid: -1}], reservations: []}));
			(s as Scene & {live?: unknown}).live = live;
		},
		args: ['list', '--json'],
		code: 0,
		// Not understood, so ignored, and kept in the file as it is (nothing lost, no backup).
		message: /^$/,
		check: (s, result) => {
			const live = (s as Scene & {live?: {id: string}}).live!;
			expect(readRegistryFile(s.portHome).hostServices.map(e => (e as {id: string}).id)).toEqual([live.id, 'broken']);
			expect(JSON.parse(result.stdout).hostServices.map((e: {id: string}) => e.id)).toEqual([live.id]);
			expect(readdirSync(s.portHome).filter(f => f.startsWith('registry.json.corrupt-'))).toEqual([]);
		},
	},
	{
		name: 'a second service for a live entry is refused, the entry kept',
		setup: s => writeRegistry(s, JSON.stringify({version: 1, projects: [], hostServices: [liveEntry(s)], reservations: []})),
		args: ['run', '3000', '--', 'true'],
		code: conflict,
		message: /Service already running for app:3000/,
		check: s => expect(readRegistryFile(s.portHome).hostServices).toHaveLength(1),
	},
];

/** PORT_HOME that cannot be written: a path under a regular file (ENOTDIR; chmod does not stop root). */
const homeCases: BadInput[] = [
	{
		name: 'PORT_HOME under a regular file: run',
		setup: s => {
			writeFileSync(path.join(s.portHome, 'file'), 'x');
			s.env.portHome = path.join(s.portHome, 'file', 'home');
		},
		args: ['run', '3000', '--', 'true'],
		code: configCode,
		message: /Cannot (create|read|lock|write) .*file\/home.*: a parent is not a directory/,
	},
	{
		name: 'PORT_HOME under a regular file: list',
		setup: s => {
			writeFileSync(path.join(s.portHome, 'file'), 'x');
			s.env.portHome = path.join(s.portHome, 'file', 'home');
		},
		args: ['list'],
		code: configCode,
		message: /a parent is not a directory/,
	},
	{
		name: 'PORT_HOME is a regular file',
		setup: s => {
			writeFileSync(path.join(s.portHome, 'file'), 'x');
			s.env.portHome = path.join(s.portHome, 'file');
		},
		args: ['kill', '--all'],
		code: configCode,
		message: /Cannot .*: (a parent is not a directory|.*not a directory)/,
	},
];

const composeText = (ports: string) => `services:\n  web:\n    image: busybox\n    ports:\n${ports}\n`;
const composeSetup = (ports: string, extra?: (s: Scene) => void) => (s: Scene) => {
	config(s, '{"domain": "port"}');
	writeFileSync(path.join(s.repo, 'docker-compose.yml'), composeText(ports));
	extra?.(s);
};
const overrideOf = (s: Scene) => parseOverride(readFileSync(path.join(s.repo, '.port', 'override.yml'), 'utf8')) as {services: Record<string, {labels?: Record<string, string> | string[]}>};
/** [entrypoint port, container port] per router in the override's labels for service web. */
function routesOf(s: Scene): Array<[number, number]> {
	const raw = overrideOf(s).services['web']?.labels ?? {};
	const labels: Record<string, string> = Array.isArray(raw) ? Object.fromEntries(raw.map(l => l.split(/=(.*)/s).slice(0, 2) as [string, string])) : raw;
	const routes: Array<[number, number]> = [];
	for (const [key, value] of Object.entries(labels)) {
		const router = /^traefik\.http\.routers\.([^.]+)\.entrypoints$/.exec(key)?.[1];
		if (!router) continue;
		const service = labels[`traefik.http.routers.${router}.service`] ?? router;
		routes.push([Number(/^port(\d+)$/.exec(value)?.[1]), Number(labels[`traefik.http.services.${service}.loadbalancer.server.port`])]);
	}
	return routes.sort((a, b) => a[0] - b[0]);
}

const composeCases: BadInput[] = [
	{name: 'compose file is not YAML', setup: s => (config(s, '{}'), writeFileSync(path.join(s.repo, 'docker-compose.yml'), 'services: {web: [}')), args: ['up'], code: configCode, message: /not valid YAML/},
	{name: 'compose file has no services', setup: s => (config(s, '{}'), writeFileSync(path.join(s.repo, 'docker-compose.yml'), 'name: x\n')), args: ['up'], code: configCode, message: /no "services" section/},
	{name: 'compose services is a list', setup: s => (config(s, '{}'), writeFileSync(path.join(s.repo, 'docker-compose.yml'), 'services: [web]\n')), args: ['up'], code: configCode, message: /"services" must be a mapping/},
	{name: 'compose file missing', setup: s => config(s, '{"compose": "nope.yml"}'), args: ['up'], code: configCode, message: /Compose file not found/},
	{name: 'compose port out of range', setup: composeSetup('      - "70000:80"'), args: ['up'], code: configCode, message: /out of range|invalid port/},
	{name: 'compose port garbage', setup: composeSetup('      - "web:80"'), args: ['up'], code: configCode, message: /services\.web\.ports\[0\]: invalid port "web"/},
	{name: 'compose reversed range', setup: composeSetup('      - "3002-3000:8000-8002"'), args: ['up'], code: configCode, message: /reversed/},
	{name: 'compose ranges of different sizes', setup: composeSetup('      - "3000-3002:8000-8001"'), args: ['up'], code: configCode, message: /differ in size/},
	{name: 'compose long syntax without target', setup: composeSetup('      - published: 3000'), args: ['up'], code: configCode, message: /long syntax needs "target"/},
	{name: 'compose variable not set', setup: composeSetup('      - "${WEB_PORT}:80"'), args: ['up'], code: configCode, message: /variable WEB_PORT is not set/},
	{name: 'compose unknown protocol', setup: composeSetup('      - "3000:80/xyz"'), args: ['up'], code: configCode, message: /unknown protocol "xyz"/},
];

/** Every `ports` syntax that is valid: `port up` must route exactly the published TCP ports. */
const composeSyntaxes: Array<{name: string; ports: string; routes: Array<[number, number]>; env?: string}> = [
	{name: '"3000" (container port only: routed at the container port)', ports: '      - "3000"', routes: [[3000, 3000]]},
	{name: '"3000:8080"', ports: '      - "3000:8080"', routes: [[3000, 8080]]},
	{name: '"127.0.0.1:3000:8080"', ports: '      - "127.0.0.1:3000:8080"', routes: [[3000, 8080]]},
	{name: '"3000-3002:8000-8002"', ports: '      - "3000-3002:8000-8002"', routes: [[3000, 8000], [3001, 8001], [3002, 8002]]},
	{name: 'long syntax published/target', ports: '      - published: "3000"\n        target: 8080\n        protocol: tcp', routes: [[3000, 8080]]},
	{name: '"${WEB_PORT:-3000}:80" (default)', ports: '      - "${WEB_PORT:-3000}:80"', routes: [[3000, 80]]},
	{name: '"${WEB_PORT:-3000}:80" (from .env)', ports: '      - "${WEB_PORT:-3000}:80"', routes: [[4100, 80]], env: 'WEB_PORT=4100\n'},
	{name: '"5353:53/udp" (UDP cannot be routed by hostname: not routed)', ports: '      - "5353:53/udp"', routes: []},
	{name: 'number 8080 (container port only: routed at the container port)', ports: '      - 8080', routes: [[8080, 8080]]},
];

function expectClean(s: Scene, result: {stderr: string}, input: BadInput) {
	const lines = result.stderr.trim() === '' ? [] : result.stderr.trim().split('\n');
	expect(lines.length, result.stderr).toBeLessThanOrEqual(2 + (input.extraLines ?? 0));
	expect(result.stderr).not.toMatch(/^\s+at .+\(?.*:\d+:\d+\)?$/m);
	expect(result.stderr).not.toContain('unexpected error');
	expect(tempFiles(s.portHome)).toEqual([]);
	expect(tempFiles(path.join(s.repo, '.port'))).toEqual([]);
}

const all = {arguments: argumentCases, config: configCases, registry: registryCases, 'PORT_HOME': homeCases, compose: composeCases};

describe('hardening corpus: bad input ends with the documented code and one line', () => {
	it('has at least 40 cases', () => {
		expect(Object.values(all).flat().length + composeSyntaxes.length).toBeGreaterThanOrEqual(40);
	});
	for (const [group, cases] of Object.entries(all)) {
		describe(group, () => {
			it.each(cases.map(c => [c.name, c] as const))('%s', async (_name, input) => {
				const s = scene();
				const result = await runBad(s, input);
				expect({code: result.code, stderr: result.stderr}).toMatchObject({code: input.code});
				expect(result.stderr).toMatch(input.message);
				if (input.code === usage && input.args[0] === 'run') expect(result.stderr).toMatch(runUsage);
				expectClean(s, result, input);
				input.check?.(s, result);
				// Bad input never reaches docker compose up.
				expect(s.dockerCalls().filter(c => c[0] === 'compose' && c.includes('up') && !c.includes('port-traefik'))).toEqual([]);
			});
		});
	}

	it('PORT_DEBUG=1 adds the stack trace', async () => {
		const s = scene();
		config(s, '{"domain": "Port"}');
		const result = await port(['run', '3000', '--', 'true'], s.repo, {...s.env, extra: {PORT_DEBUG: '1'}});
		expect(result.code).toBe(configCode);
		expect(result.stderr).toMatch(/^\s+at /m);
	});
});

describe('hardening corpus: every compose ports syntax', () => {
	it.each(composeSyntaxes.map(c => [c.name, c] as const))('%s', async (_name, syntax) => {
		const s = scene();
		composeSetup(syntax.ports, t => syntax.env && writeFileSync(path.join(t.repo, '.env'), syntax.env))(s);
		const result = await port(['up'], s.repo, s.env);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stderr).not.toMatch(/^\s+at /m);
		expect(routesOf(s)).toEqual(syntax.routes);
		// The override never publishes a host port.
		expect(readFileSync(path.join(s.repo, '.port', 'override.yml'), 'utf8')).toMatch(/ports: !(reset|override)/);
		expect(tempFiles(s.portHome)).toEqual([]);
		void existsSync;
		void mkdirSync;
	});
});
