import {describe, expect, it} from 'vitest';
import {domainProblem, hostRouteName, isDnsLabel, sanitizeName} from '../source/core/names.js';

describe('sanitizeName', () => {
	it.each([
		['feature-1', 'feature-1'],
		['Feature_1', 'feature-1'],
		['feat/login', 'feat-login'],
		['--a--b--', 'a-b'],
		['ÄÖÜ-straße', 'aou-stra-e'],
	])('%s -> %s', (input, expected) => {
		expect(sanitizeName(input)).toBe(expected);
	});

	it('never returns an empty label or "..", and hashes lossy empties apart', () => {
		const a = sanitizeName('..');
		const b = sanitizeName('///');
		expect(a).toMatch(/^wt-[0-9a-f]{8}$/);
		expect(b).toMatch(/^wt-[0-9a-f]{8}$/);
		expect(a).not.toBe(b);
	});

	it('keeps long names within 63 characters and distinct', () => {
		const a = sanitizeName('x'.repeat(100) + 'a');
		const b = sanitizeName('x'.repeat(100) + 'b');
		expect(a.length).toBeLessThanOrEqual(63);
		expect(isDnsLabel(a)).toBe(true);
		expect(a).not.toBe(b);
	});
});

describe('domainProblem', () => {
	it('accepts usual domains', () => {
		for (const d of ['port', 'localhost', 'dev.test', 'a-b.c1']) expect(domainProblem(d)).toBeUndefined();
	});
	it.each([['my domain'], ['Port'], ['port.'], ['.port'], [''], ['a..b'], ['-a.b'], ['a_b']])('rejects %j', domain => {
		expect(domainProblem(domain)).toBeTypeOf('string');
	});
});

describe('hostRouteName', () => {
	it('differs for two repositories with the same worktree and port, and has no @', () => {
		const a = hostRouteName('/home/me/a', 'feature-1', 3000);
		const b = hostRouteName('/home/me/b', 'feature-1', 3000);
		expect(a).not.toBe(b);
		expect(a).not.toContain('@');
		expect(hostRouteName('/home/me/a', 'feature-1', 3001)).not.toBe(a);
	});
});
