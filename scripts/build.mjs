// Builds the CLI into dist/: one esbuild run, ESM with code splitting.
//
// - dist/cli.js is the entry (source/cli.ts): it answers --version and imports main.ts for the
//   rest. Each command and the dashboard are reached through dynamic import(), so esbuild puts
//   them, and what only they use (yaml, execa, Ink, React), in chunks (dist/chunks/) that load
//   only when a command needs them. Code shared by
//   several commands lives in one chunk: every module has exactly one copy in dist/.
// - Everything but proper-lockfile (see `external`) is bundled.
// - Nothing is rewritten but three files of Ink (bounded text caches, one width per text per
//   frame): scripts/ink-patches.mjs says what and why.
// Start-up budgets: bench/startup.mjs (the Benchmarks section of readme.md).
import {build} from 'esbuild';
import {chmod, mkdir, rename, rm, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {inkPatchPlugin} from './ink-patches.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// PORT_BUILD_OUTDIR builds elsewhere (e.g. a second build to compare with dist/).
const finalDir = path.resolve(root, process.env.PORT_BUILD_OUTDIR || 'dist');
// Built next to the target and swapped in with renames: a `port` started during a rebuild
// never finds dist/ half written.
const outdir = `${finalDir}.build-${process.pid}`;

await rm(outdir, {recursive: true, force: true});
await mkdir(outdir, {recursive: true});
await build({
	absWorkingDir: root,
	entryPoints: {cli: 'source/cli.ts'},
	outdir,
	bundle: true,
	splitting: true,
	format: 'esm',
	platform: 'node',
	target: 'node20',
	chunkNames: 'chunks/[name]-[hash]',
	sourcemap: 'linked',
	// Maps point at source/ (stack traces with --enable-source-maps) without copying it.
	sourcesContent: false,
	logLevel: 'warning',
	// Prefer ESM builds: jsonc-parser's UMD "main" hides its requires from the bundler.
	mainFields: ['module', 'main'],
	define: {'process.env.NODE_ENV': '"production"'},
	// - Ink imports react-devtools-core only when DEV=true; it is not installed.
	// - proper-lockfile is require()d from node_modules on the first registry write (the registry's
	//   critical section is sync, and ESM output cannot require a bundled module lazily).
	external: ['react-devtools-core', 'proper-lockfile'],
	// CommonJS dependencies (cross-spawn under execa, parts of Ink) require() Node built-ins; ESM output
	// has no `require`, so each chunk gets one (esbuild's __require helper reads it from its own
	// chunk's scope, and a banner cannot target one chunk; ~0.2 ms per chunk loaded).
	plugins: [inkPatchPlugin()],
	banner: {js: "import {createRequire as __createRequire} from 'node:module'; const require = __createRequire(import.meta.url);"},
});
await chmod(path.join(outdir, 'cli.js'), 0o755);
// The .js files are ES modules wherever dist/ ends up.
await writeFile(path.join(outdir, 'package.json'), '{\n  "type": "module"\n}\n');

const previous = `${finalDir}.old-${process.pid}`;
await rename(finalDir, previous).catch(error => {
	if (error.code !== 'ENOENT') throw error;
});
await rename(outdir, finalDir);
await rm(previous, {recursive: true, force: true});
