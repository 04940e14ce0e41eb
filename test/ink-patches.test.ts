import {execFileSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
// @ts-expect-error a plain .mjs build script without types
import {inkCacheLimit, inkPatches, patchInkSource} from '../scripts/ink-patches.mjs';
import {repoDir} from './helpers/env.js';

const inkFile = (file: string) => path.join(repoDir, 'node_modules', file);

// Inside the checkout: the patched module imports widest-line from node_modules.
const cache = path.join(repoDir, 'node_modules', '.cache');
mkdirSync(cache, {recursive: true});
const dir = mkdtempSync(path.join(cache, 'port-ink-patch-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

/** MB still held after `call`ing Ink's module on `count` distinct rows and a full GC, in a fresh process. */
function retainedMB(moduleFile: string, call: string, count: number): number {
	const script = path.join(dir, `retain-${randomBytes(4).toString('hex')}.mjs`);
	writeFileSync(
		script,
		`import inkFunction from ${JSON.stringify(moduleFile)};
globalThis.gc(); const before = process.memoryUsage().heapUsed;
for (let i = 0; i < ${count}; i++) { const row = '  * :3000 -> :49731  running - ready in 33 ms  up ' + i + 's  this dashboard  npm run dev --port 49731'; ${call}; }
globalThis.gc(); process.stdout.write(String((process.memoryUsage().heapUsed - before) / 1048576));
`,
	);
	return Number(execFileSync(process.execPath, ['--expose-gc', script], {encoding: 'utf8', timeout: 60_000}));
}

describe('scripts/ink-patches.mjs', () => {
	it('applies to the installed Ink (each replacement matches once) and refuses a file it does not recognise', () => {
		for (const {file} of inkPatches as Array<{file: string}>) {
			const original = readFileSync(inkFile(file), 'utf8');
			expect(patchInkSource(inkFile(file), original)).not.toBe(original);
		}
		expect(() => patchInkSource(inkFile('ink/build/measure-text.js'), 'export default () => 0;\n')).toThrow(/was Ink upgraded/);
		// Other files pass through untouched.
		expect(patchInkSource(inkFile('ink/build/output.js'), 'x')).toBe('x');
	});

	// Imports of Ink's file from its dependencies, pointed at node_modules from the copy.
	const patchedCopy = (file: string, imports: string[]) => {
		const original = inkFile(file);
		let text = patchInkSource(original, readFileSync(original, 'utf8'));
		for (const name of imports) text = text.replace(`from '${name}'`, `from ${JSON.stringify(inkFile(`${name}/index.js`))}`);
		const copy = path.join(dir, path.basename(file));
		writeFileSync(copy, text);
		return copy;
	};

	it('measured and truncated texts are forgotten past the limit: tens of thousands of distinct rows hold next to nothing (unpatched: every one)', () => {
		const measure = 'inkFunction(row)';
		expect(retainedMB(inkFile('ink/build/measure-text.js'), measure, 100_000)).toBeGreaterThan(10);
		expect(retainedMB(patchedCopy('ink/build/measure-text.js', ['widest-line']), measure, 100_000)).toBeLessThan((inkCacheLimit * 400) / 1048576 + 1);
		const truncate = "inkFunction(row, 40, 'truncate-end')";
		expect(retainedMB(inkFile('ink/build/wrap-text.js'), truncate, 30_000)).toBeGreaterThan(4);
		expect(retainedMB(patchedCopy('ink/build/wrap-text.js', ['wrap-ansi', 'cli-truncate']), truncate, 30_000)).toBeLessThan((inkCacheLimit * 600) / 1048576 + 1);
	});
});
