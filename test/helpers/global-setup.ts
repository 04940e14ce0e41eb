import {existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {TestProject} from 'vitest/node';
import {cliPath, describePids, makeToolsDir, processesWithEnv} from './env.js';

declare module 'vitest' {
	export interface ProvidedContext {
		/** This run's temp root: every test file's temp dirs and the tools directory live under it. */
		portTestRoot: string;
	}
}

/**
 * Once per vitest run: checks dist/ is built (never rebuilt during the run: tests spawn
 * dist/cli.js from both workers), makes the run's temp root with the docker-less tools directory,
 * and at the end fails the run if any process of it survives, then removes the root.
 */
export default function setup(project: TestProject): () => void {
	if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`npm run build\` first (\`npm test\` does)`);
	const root = mkdtempSync(path.join(os.tmpdir(), 'port-run-'));
	makeToolsDir(path.join(root, 'tools'));
	project.provide('portTestRoot', root);
	return () => {
		const survivors = processesWithEnv(root);
		const listing = describePids(survivors);
		for (const pid of survivors) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// gone
			}
		}
		const leftovers = readdirSync(root).filter(name => name !== 'tools');
		rmSync(root, {recursive: true, force: true});
		const problems = [
			...(survivors.length > 0 ? [`processes of this test run outlived it (now killed):\n${listing}`] : []),
			...(leftovers.length > 0 ? [`temp dirs of test files were not removed: ${leftovers.join(', ')}`] : []),
		];
		if (problems.length > 0) {
			// vitest only logs an error thrown here ("error during close") and still exits 0.
			process.exitCode = 1;
			throw new Error(problems.join('\n'));
		}
	};
}
