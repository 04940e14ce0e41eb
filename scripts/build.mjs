// Bundles the CLI into dist/ so start-up parses one file instead of resolving hundreds of
// modules. The dashboard (Ink, React, yoga) is a separate chunk, loaded only by `port ui`.
import {build} from 'esbuild';
import {chmod, rm} from 'node:fs/promises';

await rm(new URL('../dist', import.meta.url), {recursive: true, force: true});
await build({
	entryPoints: {cli: 'source/cli.ts'},
	outdir: 'dist',
	bundle: true,
	splitting: true,
	format: 'esm',
	platform: 'node',
	target: 'node20',
	sourcemap: 'linked',
	logLevel: 'warning',
	// Prefer ESM builds: jsonc-parser's UMD "main" hides its requires from the bundler.
	mainFields: ['module', 'main'],
	// Ink imports react-devtools-core only when DEV=true; it is not installed.
	external: ['react-devtools-core'],
	// CommonJS dependencies (proper-lockfile) call require() for Node built-ins.
	banner: {js: "import {createRequire as __portCreateRequire} from 'node:module'; const require = __portCreateRequire(import.meta.url);"},
	define: {'process.env.NODE_ENV': '"production"'},
});
await chmod(new URL('../dist/cli.js', import.meta.url), 0o755);
