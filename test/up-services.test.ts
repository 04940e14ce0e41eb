import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {port, readRegistryFile, type CliEnv} from './helpers/cli.js';
import {fakeDocker, makeRepo, runCleanups, tempDir} from './helpers/env.js';

afterEach(() => runCleanups());

describe('port up [service...]', () => {
	it('passes the names to docker compose up -d; without names every service starts', async () => {
		const repo = makeRepo('app');
		const fake = fakeDocker();
		const env: CliEnv = {portHome: tempDir('port-home-'), dockerBin: fake.bin};
		expect((await port(['init'], repo, env)).code).toBe(0);
		writeFileSync(path.join(repo, 'docker-compose.yml'), 'services:\n  web:\n    image: busybox\n    ports: ["3000:80"]\n  db:\n    image: busybox\n');
		const ups = () => fake.calls().filter(c => c[0] === 'compose' && c[2]?.startsWith('app-app-') && c.includes('up')).map(c => c.slice(c.indexOf('up')));
		const some = await port(['up', 'web', 'db'], repo, env);
		expect(some.code, some.stderr).toBe(0);
		expect(ups()).toEqual([['up', '-d', 'web', 'db']]);
		expect(readRegistryFile(env.portHome).projects).toHaveLength(1);
		expect((await port(['up'], repo, env)).code).toBe(0);
		expect(ups().at(-1)).toEqual(['up', '-d']);
	});
});
