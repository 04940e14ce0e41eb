// The safe writer against a writeSync that writes less than asked (what a nearly full disk
// does) or fails part-way: the target is whole or untouched, never a prefix.
import {readFileSync, readdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, afterEach, describe, expect, it, vi} from 'vitest';
import {runCleanups, tempDir} from './helpers/env.js';

type Fake = {maxPerCall: number; failAfter: number; written: number};
const fake: Fake = {maxPerCall: Infinity, failAfter: Infinity, written: 0};

vi.mock('node:fs', async importOriginal => {
	const real = await importOriginal<typeof import('node:fs')>();
	// Writes at most maxPerCall bytes per call; past failAfter bytes in total, throws ENOSPC.
	const writeSync = (fd: number, data: string | Uint8Array, offset?: number, length?: number) => {
		const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
		const start = typeof offset === 'number' ? offset : 0;
		const wanted = typeof data === 'string' || typeof length !== 'number' ? bytes.length - start : length;
		const room = fake.failAfter - fake.written;
		if (room <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), {code: 'ENOSPC'});
		const n = Math.min(wanted, fake.maxPerCall, room);
		const done = real.writeSync(fd, bytes, start, n);
		fake.written += done;
		return done;
	};
	return {...real, writeSync, default: {...real, writeSync}};
});

const {writeFileAtomic} = await import('../source/core/atomic-write.js');
const {CappedLog} = await import('../source/core/logs/capped-log.js');
const {writeTraefikFiles} = await import('../source/core/traefik/static-files.js');
const {traefikComposeFile, traefikStaticFile} = await import('../source/core/paths.js');

afterEach(() => Object.assign(fake, {maxPerCall: Infinity, failAfter: Infinity, written: 0}));
afterAll(runCleanups);

const bigJson = () => `${JSON.stringify({projects: Array.from({length: 60}, (_, i) => ({repo: `/src/project-${i}`, branch: 'main', ports: [3000 + i]}))}, null, 2)}\n`;

describe('writeFileAtomic', () => {
	it('writes every byte when writeSync writes only part of what it is given', () => {
		const file = path.join(tempDir(), 'registry.json');
		const content = bigJson();
		expect(content.length).toBeGreaterThan(4096);
		fake.maxPerCall = 4096;
		writeFileAtomic(file, content);
		expect(readFileSync(file, 'utf8')).toBe(content);
	});

	it('a write that fails part-way leaves the old file byte-identical, no temp file, one exit-3 error', () => {
		const dir = tempDir();
		const file = path.join(dir, 'registry.json');
		writeFileSync(file, '{"old": true}\n');
		fake.maxPerCall = 4096;
		fake.failAfter = 4096;
		let caught: unknown;
		try {
			writeFileAtomic(file, bigJson());
		} catch (error) {
			caught = error;
		}
		expect(caught).toMatchObject({exitCode: 3, message: `Cannot write ${file}: no space left on device`});
		expect(readFileSync(file, 'utf8')).toBe('{"old": true}\n');
		expect(readdirSync(dir)).toEqual(['registry.json']);
	});
});

describe('Traefik files on a disk that fills up between them', () => {
	it('traefik.yml and docker-compose.yml change together or not at all', () => {
		process.env['PORT_HOME'] = tempDir('port-home-');
		try {
			writeTraefikFiles([3000]);
			const before = [readFileSync(traefikStaticFile(), 'utf8'), readFileSync(traefikComposeFile(), 'utf8')];
			// Room for the new traefik.yml, not for the new docker-compose.yml after it.
			fake.written = 0;
			fake.failAfter = before[0]!.length + 100;
			expect(() => writeTraefikFiles([3000, 3001])).toThrow(/^Cannot write .*docker-compose\.yml: no space left on device$/);
			expect([readFileSync(traefikStaticFile(), 'utf8'), readFileSync(traefikComposeFile(), 'utf8')]).toEqual(before);
			expect(readdirSync(path.dirname(traefikStaticFile())).filter(f => f.endsWith('.tmp'))).toEqual([]);
		} finally {
			delete process.env['PORT_HOME'];
		}
	});
});

describe('CappedLog on a full disk', () => {
	it('never throws and never leaves half a chunk; logging resumes when space returns', () => {
		const file = path.join(tempDir(), 'logs', 'svc.log');
		const log = new CappedLog(file, 1024 * 1024);
		log.write(Buffer.from('first line\n'));
		fake.written = 0;
		fake.failAfter = 5; // the next chunk fits only in part
		expect(() => log.write(Buffer.from('second line that does not fit\n'))).not.toThrow();
		fake.failAfter = Infinity;
		log.write(Buffer.from('third line\n'));
		log.close();
		expect(readFileSync(file, 'utf8')).toBe('first line\nthird line\n');
	});
});
