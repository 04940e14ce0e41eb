#!/usr/bin/env node
import nodeModule from 'node:module';
import {version} from './version.js';

// Node 22.1+ can keep compiled code on disk between runs (for the chunks imported from here on:
// commands, the dashboard). Node 20 has no such API and compiles every time.
const compileCache = nodeModule as {enableCompileCache?: () => unknown};
if (typeof compileCache.enableCompileCache === 'function') compileCache.enableCompileCache();

const argv = process.argv.slice(2);
// `port --version` loads nothing else: every module (and Node built-in imported as ESM, e.g.
// node:fs with its stream stack) costs start-up time against a 1.15x `node -e 0` budget
// (bench/startup.mjs). fs comes through require, which skips the ESM wrapper of node:fs.
if ((argv[0] === '--version' || argv[0] === '-v') && process.platform !== 'win32') {
	const {writeSync} = nodeModule.createRequire(import.meta.url)('node:fs') as typeof import('node:fs');
	try {
		writeSync(1, `${version}\n`);
	} catch (error) {
		// A closed reader (EPIPE) gets nothing; a full non-blocking pipe (EAGAIN) gets the stream.
		if ((error as NodeJS.ErrnoException).code === 'EAGAIN') process.stdout.write(`${version}\n`);
		else if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
	}
} else {
	const {start} = await import('./main.js');
	start(argv, process.argv[1]);
}
