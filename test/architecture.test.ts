// The house rules of docs/architecture.md that are about the shape of the source: small files,
// thin commands, a dashboard UI that only renders the store. (Headless core: core-headless.test.ts;
// no import circle and only cli.ts reading argv: import-cycles.test.ts.)
import {readdirSync, readFileSync} from 'node:fs';
import {builtinModules} from 'node:module';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {repoDir} from './helpers/env.js';

const maxLines = 300;

function sourceFiles(dir = path.join(repoDir, 'source')): string[] {
	return readdirSync(dir, {withFileTypes: true}).flatMap(entry =>
		entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : /\.(ts|tsx)$/.test(entry.name) ? [path.relative(repoDir, path.join(dir, entry.name))] : [],
	);
}

const lineCount = (file: string) => readFileSync(path.join(repoDir, file), 'utf8').split('\n').length - 1;
const importsOf = (file: string) =>
	[...readFileSync(path.join(repoDir, file), 'utf8').matchAll(/(?:from\s+|import\s*\(\s*)['"]([^'"]+)['"]/g)].map(m => m[1]!);

describe('file size', () => {
	it(`no file in source/ is over ${maxLines} lines`, () => {
		const files = sourceFiles();
		expect(files.length).toBeGreaterThan(50);
		const tooLong = files.filter(file => lineCount(file) > maxLines);
		expect(tooLong.map(file => `${file}: ${lineCount(file)} lines`)).toEqual([]);
	});
});

describe('layers', () => {
	it('commands are thin: no library of their own (flags: node:util parseArgs; the work is in core/)', () => {
		const isBuiltin = (spec: string) => spec.startsWith('node:') || builtinModules.includes(spec);
		const libraries = sourceFiles()
			.filter(file => file.startsWith('source/commands/'))
			.flatMap(file => importsOf(file).filter(spec => !spec.startsWith('.') && !isBuiltin(spec)).map(spec => `${file} imports ${spec}`));
		expect(libraries).toEqual([]);
	});

	it('the ui reaches core only through the dashboard store (core/dashboard/store.ts)', () => {
		const throughOther = sourceFiles()
			.filter(file => file.startsWith('source/ui/'))
			.flatMap(file =>
				importsOf(file)
					.filter(spec => spec.startsWith('.'))
					.map(spec => path.relative(repoDir, path.resolve(repoDir, path.dirname(file), spec)))
					.filter(target => target.startsWith('source/') && !target.startsWith('source/ui/') && target !== 'source/core/dashboard/store.js')
					.map(target => `${file} imports ${target}`),
			);
		expect(throughOther).toEqual([]);
	});
});
