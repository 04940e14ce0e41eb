import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import getPort, {portNumbers} from 'get-port';
import {afterEach, describe, expect, it} from 'vitest';
import {composeFilesFor} from '../source/core/compose/files.js';
import {modelFlags, modelToComposeFile} from '../source/core/compose/model.js';
import {composeProjectName} from '../source/core/compose/names.js';
import {parseOverride, planOverride} from '../source/core/compose/override-plan.js';
import {port, readRegistryFile, type CliEnv} from './helpers/cli.js';
import {addWorktree, fakeDocker, makeRepo, runCleanups, tempDir} from './helpers/env.js';

afterEach(() => runCleanups());

describe('the compose files plain docker compose would load', () => {
	it('defaults: compose.yaml before docker-compose.yml, plus the first *.override file', () => {
		const dir = tempDir('port-files-');
		expect(composeFilesFor(dir, 'docker-compose.yml', {})).toEqual([path.join(dir, 'docker-compose.yml')]);
		writeFileSync(path.join(dir, 'docker-compose.yml'), 'services: {}\n');
		writeFileSync(path.join(dir, 'docker-compose.override.yml'), 'services: {}\n');
		expect(composeFilesFor(dir, 'docker-compose.yml', {})).toEqual([path.join(dir, 'docker-compose.yml'), path.join(dir, 'docker-compose.override.yml')]);
		writeFileSync(path.join(dir, 'compose.yaml'), 'services: {}\n');
		writeFileSync(path.join(dir, 'compose.override.yaml'), 'services: {}\n');
		expect(composeFilesFor(dir, 'docker-compose.yml', {})).toEqual([path.join(dir, 'compose.yaml'), path.join(dir, 'compose.override.yaml')]);
	});

	it('COMPOSE_FILE from the shell or .env (its separator), and an explicit "compose" setting as it is', () => {
		const dir = tempDir('port-files-');
		writeFileSync(path.join(dir, 'docker-compose.override.yml'), 'services: {}\n');
		expect(composeFilesFor(dir, 'docker-compose.yml', {COMPOSE_FILE: `a.yml${path.delimiter}sub/b.yml`})).toEqual([path.join(dir, 'a.yml'), path.join(dir, 'sub', 'b.yml')]);
		writeFileSync(path.join(dir, '.env'), 'COMPOSE_FILE=x.yml,y.yml\nCOMPOSE_PATH_SEPARATOR=,\n');
		expect(composeFilesFor(dir, 'docker-compose.yml', {})).toEqual([path.join(dir, 'x.yml'), path.join(dir, 'y.yml')]);
		expect(composeFilesFor(dir, 'deploy/dev.yml', {COMPOSE_FILE: 'a.yml'})).toEqual([path.join(dir, 'deploy', 'dev.yml')]);
	});
});

// What `docker compose config --format json` (2.26) prints for a service brought in by `extends`
// with a fixed container name, an included one, and a udp port without a host port.
const model = {
	services: {
		ext: {image: 'busybox', container_name: 'db', networks: {default: null}, ports: [{mode: 'ingress', target: 80, published: '18084', protocol: 'tcp'}, {mode: 'ingress', target: 9000, protocol: 'udp'}]},
		inc: {image: 'busybox', networks: {back: null}, ports: [{mode: 'ingress', target: 8080, published: '18083', protocol: 'tcp'}]},
		plain: {image: 'busybox', networks: {default: null}},
	},
};

describe('the options of port compose that change the model', () => {
	it('takes --profile and --env-file given before the subcommand, nothing after it', () => {
		expect(modelFlags(['--profile', 'a', '--profile=b', '--env-file', '.env.dev', '--ansi', 'up', '--profile', 'c'])).toEqual(['--profile', 'a', '--profile=b', '--env-file', '.env.dev']);
		expect(modelFlags(['ps'])).toEqual([]);
	});
});

describe('the override from the model Compose resolved', () => {
	it('resets every published port, routes it, and keeps a fixed name reachable as an alias', () => {
		const plan = planOverride(modelToComposeFile(model, 'compose.yaml'), {repoRoot: '/repos/app', worktree: 'wt', domain: 'port'});
		expect(plan.routes.map(r => `${r.service}:${r.published}>${r.target}`)).toEqual(['ext:18084>80', 'inc:18083>8080']);
		const services = plan.data['services'] as Record<string, Record<string, unknown>>;
		expect(services['ext']!['ports']).toEqual([]);
		expect(services['ext']!['networks']).toEqual({default: {aliases: ['db']}, 'traefik-network': {}});
		expect(services['inc']!['networks']).toEqual({back: {}, 'traefik-network': {}});
		expect(services['plain']).toBeUndefined();
		expect(plan.notes.join('\n')).toContain('9000:9000/udp is not published');
	});
});

describe('port up uses the model docker compose config resolves', () => {
	it('passes the override file Compose would load, routes ports only the model has, and adds .port/override-compose.yml last', async () => {
		const published = await getPort({port: portNumbers(31_000, 39_000)});
		const repo = makeRepo('app');
		const env: CliEnv = {portHome: tempDir('port-home-')};
		// The base file has no ports: they come from `extends` (only Compose's model shows them).
		const canned = JSON.stringify({services: {web: {image: 'busybox', networks: {default: null}, ports: [{target: 8080, published: String(published), protocol: 'tcp'}]}}});
		const fake = fakeDocker({script: `case " $* " in *" config --format json "*) echo '${canned}'; exit 0;; esac`});
		env.dockerBin = fake.bin;
		expect((await port(['init'], repo, env)).code).toBe(0);
		const tree = addWorktree(repo, 'feature-a');
		writeFileSync(path.join(tree, 'compose.yaml'), 'services:\n  web:\n    extends: {file: base.yaml, service: web}\n');
		writeFileSync(path.join(tree, 'compose.override.yaml'), 'services:\n  web:\n    environment: {A: "1"}\n');
		mkdirSync(path.join(tree, '.port'), {recursive: true});
		writeFileSync(path.join(tree, '.port', 'override-compose.yml'), 'services:\n  web:\n    environment: {B: "2"}\n');
		const result = await port(['up'], tree, env);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toContain(`http://feature-a.port:${published}`);
		const name = composeProjectName(repo, 'feature-a');
		const files = ['-f', path.join(tree, 'compose.yaml'), '-f', path.join(tree, 'compose.override.yaml')];
		expect(fake.calls()).toContainEqual(['compose', '-p', name, ...files, 'config', '--format', 'json']);
		const override = path.join(tree, '.port', 'override.yml');
		const userLayer = path.join(tree, '.port', 'override-compose.yml');
		expect(fake.calls()).toContainEqual(['compose', '-p', name, ...files, '-f', override, '-f', userLayer, 'up', '-d']);
		const web = (parseOverride(readFileSync(override, 'utf8'))['services'] as Record<string, Record<string, unknown>>)['web']!;
		expect(web['ports']).toEqual([]);
		expect((readRegistryFile(env.portHome).projects as Array<{ports: number[]}>)[0]!.ports).toEqual([published]);

		// port compose: the same files, the override rebuilt from the model (here after it was deleted).
		rmSync(override);
		const ps = await port(['compose', 'ps'], tree, env);
		expect(ps.code, ps.stderr).toBe(0);
		expect(fake.calls().at(-1)).toEqual(['compose', '-p', name, ...files, '-f', override, '-f', userLayer, 'ps']);
		expect((parseOverride(readFileSync(override, 'utf8'))['services'] as Record<string, Record<string, unknown>>)['web']!['ports']).toEqual([]);
	});

	it('a model Compose refuses is one line, exit 3, and nothing is started', async () => {
		const repo = makeRepo('app');
		const fake = fakeDocker({script: `case " $* " in *" config --format json "*) echo 'service "web" refers to undefined network back: invalid compose project' >&2; exit 15;; esac`});
		const env: CliEnv = {portHome: tempDir('port-home-'), dockerBin: fake.bin};
		expect((await port(['init'], repo, env)).code).toBe(0);
		writeFileSync(path.join(repo, 'compose.yaml'), 'services:\n  web:\n    image: busybox\n    networks: [back]\n');
		const result = await port(['up'], repo, env);
		expect(result.code).toBe(3);
		expect(result.stderr).toContain('refers to undefined network back');
		expect(fake.calls().some(c => c.includes('up'))).toBe(false);
	});
});
