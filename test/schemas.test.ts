import {readFileSync} from 'node:fs';
import path from 'node:path';
import {Ajv} from 'ajv';
import {parse} from 'yaml';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {hostRouteConfig, writeRoute} from '../source/core/traefik/routes.js';
import {composeConfig, staticConfig, writeTraefikFiles} from '../source/core/traefik/static-files.js';
import {runCleanups, schemasDir, tempDir} from './helpers/env.js';

const load = (name: string) => JSON.parse(readFileSync(path.join(schemasDir, name), 'utf8')) as object;
const validators = {
	static: new Ajv({allErrors: true}).compile(load('traefik-v3.json')),
	dynamic: new Ajv({allErrors: true}).compile(load('traefik-v3-file-provider.json')),
	compose: new Ajv({validateSchema: false, strict: false, allErrors: true}).compile(load('compose-spec.json')),
};

function expectValid(kind: keyof typeof validators, value: unknown) {
	const validate = validators[kind];
	const ok = validate(value);
	expect(validate.errors ?? [], `${kind} schema errors`).toEqual([]);
	expect(ok).toBe(true);
}

describe('generated Traefik files validate against the official schemas', () => {
	beforeEach(() => {
		process.env['PORT_HOME'] = tempDir();
	});
	afterEach(async () => {
		await runCleanups();
		delete process.env['PORT_HOME'];
	});

	it('static config (with and without entrypoints, host and bridge networking)', () => {
		for (const mode of ['host', 'bridge'] as const) {
			expectValid('static', staticConfig({ports: [3000, 5432], lan: [5432]}, mode));
			expectValid('static', staticConfig({ports: [], lan: []}, mode));
		}
	});

	it('Traefik compose file (host and bridge networking)', () => {
		for (const mode of ['host', 'bridge'] as const) expectValid('compose', composeConfig({ports: [3000, 5432], lan: [5432]}, 'x', 'traefik:v3.7.6', mode));
	});

	it('dynamic route file, as written to disk', () => {
		const file = writeRoute({name: 'host-feature-1-3000-abcd1234', hostname: 'feature-1.port', logicalPort: 3000, actualPort: 49_152});
		const onDisk = parse(readFileSync(file, 'utf8')) as unknown;
		expectValid('dynamic', onDisk);
		expect(onDisk).toEqual(hostRouteConfig({name: 'host-feature-1-3000-abcd1234', hostname: 'feature-1.port', logicalPort: 3000, actualPort: 49_152}));
	});

	it('files written to disk parse back to what was generated', () => {
		writeTraefikFiles([3000]);
		const home = process.env['PORT_HOME']!;
		expectValid('static', parse(readFileSync(path.join(home, 'traefik', 'traefik.yml'), 'utf8')));
		expectValid('compose', parse(readFileSync(path.join(home, 'traefik', 'docker-compose.yml'), 'utf8')));
	});

	it('the schema validator really rejects a broken file', () => {
		expect(validators.dynamic({http: {routers: {x: {rule: 'Host(`a`)'}}}})).toBe(false);
		expect(validators.static({entryPoints: {a: {adress: ':1'}}})).toBe(false);
	});
});
