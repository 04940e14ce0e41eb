import {createHash} from 'node:crypto';
import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {repoDir, schemasDir} from './helpers/env.js';

// A fresh clone has no shared folder beside it: the schemas the tests validate against live in the repository.
describe('JSON Schemas used by the tests', () => {
	it('are read from test/fixtures/schemas inside the repository, byte-for-byte as SOURCES.md records', () => {
		expect(path.relative(repoDir, schemasDir)).toBe(path.join('test', 'fixtures', 'schemas'));
		const sources = readFileSync(path.join(schemasDir, 'SOURCES.md'), 'utf8');
		expect(readFileSync(path.join(schemasDir, 'NOTICE'), 'utf8')).toContain('Apache License, Version 2.0');
		for (const name of ['traefik-v3.json', 'traefik-v3-file-provider.json', 'compose-spec.json']) {
			const row = sources.split('\n').find(line => line.startsWith(`| \`${name}\``));
			const sha256 = row?.match(/`([0-9a-f]{64})`/)?.[1];
			expect(sha256, `${name} in SOURCES.md`).toBeDefined();
			expect(createHash('sha256').update(readFileSync(path.join(schemasDir, name))).digest('hex'), name).toBe(sha256);
		}
	});

	it('nothing in test/, bench/, source/ or .ci/ reaches outside the checkout for the shared folder', () => {
		let hits = '';
		try {
			hits = execFileSync('grep', ['-rlE', String.raw`\.\./shared|'\.\.', 'shared'`, 'test', 'bench', 'source', '.ci', '--exclude=schemas-fixtures.test.ts'], {cwd: repoDir, encoding: 'utf8'});
		} catch (error) {
			if ((error as {status?: number}).status !== 1) throw error; // 1: no match
		}
		expect(hits).toBe('');
	});
});
