// No import circles in source/: the module graph is read from esbuild's metafile (the same
// resolver as the build), static and dynamic imports alike. And only cli.ts reads process.argv.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {build, stop} from 'esbuild';
import {afterAll, describe, expect, it} from 'vitest';
import {repoDir} from './helpers/env.js';

/** Every circle in the graph, each as the list of files along it (first file repeated at the end). */
export function findCycles(graph: Map<string, string[]>): string[][] {
	const cycles: string[][] = [];
	const state = new Map<string, 'open' | 'done'>();
	const stack: string[] = [];
	const visit = (file: string) => {
		state.set(file, 'open');
		stack.push(file);
		for (const next of graph.get(file) ?? []) {
			if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
			else if (!state.has(next)) visit(next);
		}
		stack.pop();
		state.set(file, 'done');
	};
	for (const file of graph.keys()) if (!state.has(file)) visit(file);
	return cycles;
}

// esbuild keeps a service process for the next build: stop it, or it outlives this file.
afterAll(() => stop());

async function sourceGraph(): Promise<Map<string, string[]>> {
	const {metafile} = await build({
		absWorkingDir: repoDir,
		entryPoints: ['source/cli.ts'],
		bundle: true,
		write: false,
		metafile: true,
		platform: 'node',
		format: 'esm',
		splitting: true,
		outdir: 'unused',
		packages: 'external',
		logLevel: 'silent',
	});
	const graph = new Map<string, string[]>();
	for (const [file, input] of Object.entries(metafile.inputs)) {
		if (!file.startsWith('source/')) continue;
		graph.set(file, input.imports.filter(i => !i.external && i.path.startsWith('source/')).map(i => i.path));
	}
	return graph;
}

describe('module graph', () => {
	it('finds circles (the check itself works)', () => {
		const graph = new Map([
			['a', ['b']],
			['b', ['c']],
			['c', ['a', 'd']],
			['d', []],
		]);
		expect(findCycles(graph)).toEqual([['a', 'b', 'c', 'a']]);
		expect(findCycles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
	});

	it('has no import circle in source/, through static or dynamic imports', async () => {
		const graph = await sourceGraph();
		// The graph really covers the commands and the dashboard.
		expect([...graph.keys()]).toEqual(expect.arrayContaining(['source/cli.ts', 'source/commands/enter.ts', 'source/ui/run-ui.tsx', 'source/core/registry/registry.ts']));
		expect(findCycles(graph).map(cycle => cycle.join(' -> '))).toEqual([]);
	});
});

describe('process.argv', () => {
	it('is read only by source/cli.ts (commands get what they need as parameters)', async () => {
		const graph = await sourceGraph();
		const readers = [...graph.keys()].filter(file => /process\.argv/.test(readFileSync(path.join(repoDir, file), 'utf8')));
		expect(readers).toEqual(['source/cli.ts']);
	});
});
