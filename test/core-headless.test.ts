import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {repoDir} from './helpers/env.js';

const importsOf = (file: string) =>
	[...readFileSync(file, 'utf8').matchAll(/(?:from\s+|import\s*\(\s*)['"]([^'"]+)['"]/g)].map(m => m[1]!);

function filesUnder(dir: string): string[] {
	return readdirSync(dir, {withFileTypes: true}).flatMap(entry =>
		entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : /\.(ts|tsx)$/.test(entry.name) ? [path.join(dir, entry.name)] : [],
	);
}

describe('architecture', () => {
	it('keeps source/core headless: no ink, react or ui imports', () => {
		const offenders = filesUnder(path.join(repoDir, 'source', 'core')).flatMap(file =>
			importsOf(file)
				.filter(spec => /^(ink|react|ink-.*|@inkjs\/.*|react-.*)$/.test(spec) || spec.includes('/ui/'))
				.map(spec => `${path.relative(repoDir, file)} imports ${spec}`),
		);
		expect(offenders).toEqual([]);
	});

	it('loads the dashboard only through a dynamic import', () => {
		const offenders = filesUnder(path.join(repoDir, 'source'))
			.filter(file => !file.includes(`${path.sep}ui${path.sep}`))
			.flatMap(file =>
				[...readFileSync(file, 'utf8').matchAll(/^import\s[^;]*from\s+['"]([^'"]+)['"]/gm)]
					.map(m => m[1]!)
					.filter(spec => /^(ink|react)$/.test(spec) || spec.includes('/ui/'))
					.map(spec => `${path.relative(repoDir, file)} statically imports ${spec}`),
			);
		expect(offenders).toEqual([]);
	});
});
