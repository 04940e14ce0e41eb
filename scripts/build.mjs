// Builds the CLI into dist/ for a fast start (budget: `port list --json` within 1.25x of
// `node -e 0`; see bench/startup.mjs and the Benchmarks section of readme.md).
//
// Layout (dist/package.json marks .js as CommonJS):
//   dist/cli.js               CommonJS: argument split, dispatch, error reporting
//   dist/commands/<name>.cjs  CommonJS, one self-contained bundle per command, require()d on use
//   dist/vendor/meow.mjs      ESM, meow (loaded only when an argument needs the full parser)
//   dist/ui/run-ui.mjs        ESM, the dashboard (Ink, React, yoga), imported only by `port ui`
// Why CommonJS: Node 20 pays ~5 ms (15% of its own start) to set up the ESM loader for an ESM
// entry, plus a few async steps per module; require() of one file costs almost nothing. Each
// command bundle carries its own copy of the core it uses (only one command runs per process);
// state that must be shared across copies uses registered symbols (errors.ts, parse.ts).
//
// Also for start-up:
// - source/version.ts is replaced by the version string (no package.json read at run time).
// - meow's pre-bundled dependencies evaluate normalize-package-data (semver, spdx-correct, whose
//   module body sorts ~500 licence ids with localeCompare, i.e. loads ICU's collator) and
//   @babel/code-frame at import time, although meow only calls them to read or normalise a
//   package.json, which we never let it do (we pass `pkg`). Those two top-level calls are made lazy.
import {build} from 'esbuild';
import {chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {execFileSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
// PORT_BUILD_OUTDIR builds elsewhere (e.g. to profile a build while `npm test` rebuilds dist/).
let outdir = path.resolve(root, process.env.PORT_BUILD_OUTDIR || 'dist');

const meowPatches = [
	[
		'var libExports = requireLib$1();',
		'var libExports = {get codeFrameColumns() { return requireLib$1().codeFrameColumns; }};',
	],
	[
		'var normalizeExports = requireNormalize();\nconst normalizePackageData = getDefaultExportFromCjs(normalizeExports);',
		'const normalizePackageData = (...args) => getDefaultExportFromCjs(requireNormalize())(...args);',
	],
];

const lockfileImport = "import lockfile from 'proper-lockfile';";
// The proxy require()s dist/vendor/proper-lockfile.cjs (a separate file: commands that only read
// do not even parse its ~50 KB).
const lazyLockfile = (vendorDir) =>
	`const lockfile = new Proxy({}, {get: (_target, key) => require('${vendorDir}proper-lockfile.cjs')[key]}) as typeof import('proper-lockfile');`;

const commandsIndex = path.join(root, 'source', 'commands', 'index.ts');
const commandImport = /import\('\.\/([\w-]+)\.js'\)/g;
const commandsSource = await readFile(commandsIndex, 'utf8');
const commandNames = [...new Set([...commandsSource.matchAll(commandImport)].map(m => m[1]))];
// Every lazy command must have the `import('./<name>.js')` form, or it would get no bundle.
if ((commandsSource.match(/import\(/g) ?? []).length !== [...commandsSource.matchAll(commandImport)].length) {
	throw new Error(`${commandsIndex}: every command loader must read import('./<name>.js')`);
}

/**
 * - version.ts -> a constant; meow's eager initialisers -> lazy (see above).
 * - The command table's `import('./x.js')` -> `require('<dir>x.cjs')` (sync, no ESM loader).
 * - `meow` and the dashboard stay outside the CommonJS bundles, loaded with import() on demand.
 */
const portPlugin = ({commandsDir, vendorDir, uiDir} = {}) => ({
	name: 'port-build',
	setup(b) {
		b.onLoad({filter: /[/\\]source[/\\]version\.ts$/}, () => ({contents: `export const version = ${JSON.stringify(pkg.version)};\n`, loader: 'ts'}));
		b.onLoad({filter: /[/\\]node_modules[/\\]meow[/\\]build[/\\]dependencies\.js$/}, async args => {
			let contents = await readFile(args.path, 'utf8');
			const warnings = [];
			for (const [from, to] of meowPatches) {
				if (contents.includes(from)) contents = contents.replace(from, to);
				else warnings.push({text: `start-up patch not applied (meow changed?): ${from.split('\n')[0]}`});
			}
			return {contents, loader: 'js', warnings};
		});
		if (commandsDir === undefined) return;
		// proper-lockfile (graceful-fs, retry, signal-exit) is needed only to write the registry:
		// its static import becomes a proxy that require()s the bundled module on first use.
		b.onLoad({filter: /[/\\]source[/\\]core[/\\][\w-]+\.ts$/}, async args => {
			const contents = await readFile(args.path, 'utf8');
			if (!contents.includes(lockfileImport)) return undefined;
			return {contents: contents.replace(lockfileImport, lazyLockfile(vendorDir)), loader: 'ts'};
		});
		b.onLoad({filter: /[/\\]source[/\\]commands[/\\]index\.ts$/}, async args => ({
			contents: (await readFile(args.path, 'utf8')).replace(commandImport, (_, name) => `Promise.resolve().then(() => __portLoad('${commandsDir}${name}.cjs'))`),
			loader: 'ts',
		}));
		b.onResolve({filter: /\.cjs$/}, args => ({path: args.path, external: true}));
		b.onResolve({filter: /^meow$/}, () => ({path: `${vendorDir}meow.mjs`, external: true}));
		b.onResolve({filter: /[/\\]ui[/\\]run-ui\.js$/}, () => ({path: `${uiDir}run-ui.mjs`, external: true}));
	},
});

const common = {
	bundle: true,
	platform: 'node',
	target: 'node20',
	sourcemap: 'linked',
	logLevel: 'warning',
	// Prefer ESM builds: jsonc-parser's UMD "main" hides its requires from the bundler.
	mainFields: ['module', 'main'],
	define: {'process.env.NODE_ENV': '"production"'},
};

// Loads a command bundle with V8's code cache (<file>.v8cache, written by this script after the
// build with the same Node): compiling run.cjs (execa, yaml) from source costs ~20 ms. Without a
// cache, or when V8 rejects it (another Node version or flags), it is a plain require().
const loaderSource = `var __portLoad = id => {
	const vm = require('node:vm');
	const fs = require('node:fs');
	const path = require('node:path');
	const file = path.resolve(__dirname, id);
	let cachedData;
	try {
		cachedData = vm.constants && vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER && fs.readFileSync(file + '.v8cache');
	} catch {}
	if (!cachedData) return require(file);
	const Module = require('node:module');
	const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), {filename: file, cachedData, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER});
	const loaded = new Module(file, module);
	loaded.filename = file;
	loaded.paths = Module._nodeModulePaths(path.dirname(file));
	script.runInThisContext().call(loaded.exports, loaded.exports, Module.createRequire(file), loaded, file, path.dirname(file));
	loaded.loaded = true;
	return loaded.exports;
};`.replace(/\n\t*/g, ' ');

/**
 * Loads every command bundle once (defining, not running, the command) and saves V8's code
 * cache. `port list` is also run once, read-only, in a scratch repository with an empty
 * PORT_HOME (its start-up has a budget): the cache then holds the functions it runs (JSONC
 * parser, registry checks), compiled.
 */
const cacheMaker = `
const vm = require('node:vm'), fs = require('node:fs'), path = require('node:path'), Module = require('node:module');
(async () => {
	for (const file of process.argv.slice(1)) {
		const source = fs.readFileSync(file, 'utf8');
		// import() from code restored out of a cache has no loader ("A dynamic import callback was
		// not specified"): bundles that import (ui: the dashboard) are loaded with require().
		if (source.includes('import(')) continue;
		const script = new vm.Script(Module.wrap(source), {filename: file, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER});
		const loaded = new Module(file, module);
		loaded.filename = file;
		loaded.paths = Module._nodeModulePaths(path.dirname(file));
		script.runInThisContext().call(loaded.exports, loaded.exports, Module.createRequire(file), loaded, file, path.dirname(file));
		if (path.basename(file) === 'list.cjs' && process.env.PORT_WARM_REPO) {
			process.chdir(process.env.PORT_WARM_REPO);
			try {
				await loaded.exports.default(['--json']);
			} catch {}
		}
		fs.writeFileSync(file + '.v8cache', script.createCachedData());
	}
})();`;

/** A scratch "repository" for the warm-up run: a .git directory with a HEAD, and a commented config. */
async function warmRepo() {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'port-build-warm-'));
	await mkdir(path.join(dir, 'repo', '.git'), {recursive: true});
	await writeFile(path.join(dir, 'repo', '.git', 'HEAD'), 'ref: refs/heads/main\n');
	await mkdir(path.join(dir, 'repo', '.port', 'trees'), {recursive: true});
	await writeFile(path.join(dir, 'repo', '.port', 'config.jsonc'), '{\n  // comment\n  "domain": "port",\n  "compose": "docker-compose.yml",\n}\n');
	await mkdir(path.join(dir, 'home'));
	return dir;
}

// CommonJS output has no import.meta: give it one (createRequire and meow's importMeta use .url).
const cjs = {
	...common,
	format: 'cjs',
	define: {...common.define, 'import.meta': '__portImportMeta'},
	banner: {js: `'use strict'; var __portImportMeta = {get url() { return require('node:url').pathToFileURL(__filename).href; }}; ${loaderSource}`},
};

// ESM bundles may contain CommonJS dependencies that call require() for Node built-ins.
const esm = {
	...common,
	format: 'esm',
	outExtension: {'.js': '.mjs'},
	banner: {js: "import {createRequire as __portCreateRequire} from 'node:module'; const require = __portCreateRequire(import.meta.url);"},
};

// Build into a fresh directory next to the target, then swap it in with two renames: a `port`
// started while tests rebuild (several test files build in beforeAll) never finds dist/ half
// deleted or half written.
const finalDir = outdir;
outdir = `${finalDir}.build-${process.pid}`;
await rm(outdir, {recursive: true, force: true});
await mkdir(outdir, {recursive: true});
await writeFile(path.join(outdir, 'package.json'), '{\n  "type": "commonjs"\n}\n');
await Promise.all([
	build({...cjs, entryPoints: {cli: 'source/cli.ts'}, outdir, plugins: [portPlugin({commandsDir: './commands/', vendorDir: './vendor/', uiDir: './ui/'})]}),
	build({
		...cjs,
		entryPoints: Object.fromEntries(commandNames.map(name => [name, `source/commands/${name}.ts`])),
		outdir: path.join(outdir, 'commands'),
		outExtension: {'.js': '.cjs'},
		plugins: [portPlugin({commandsDir: './', vendorDir: '../vendor/', uiDir: '../ui/'})],
	}),
	build({...esm, entryPoints: {meow: 'node_modules/meow/build/index.js'}, outdir: path.join(outdir, 'vendor'), plugins: [portPlugin()]}),
	build({...cjs, entryPoints: {'proper-lockfile': 'node_modules/proper-lockfile/index.js'}, outdir: path.join(outdir, 'vendor'), outExtension: {'.js': '.cjs'}}),
	build({
		...esm,
		entryPoints: {'run-ui': 'source/ui/run-ui.tsx'},
		outdir: path.join(outdir, 'ui'),
		// Split so Ink's devtools chunk (which imports react-devtools-core) loads only when DEV=true.
		splitting: true,
		chunkNames: 'chunk-[hash]',
		// Ink imports react-devtools-core only when DEV=true; it is not installed.
		external: ['react-devtools-core'],
		plugins: [portPlugin()],
	}),
]);
await chmod(path.join(outdir, 'cli.js'), 0o755);
if ((await import('node:vm')).constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER) {
	const bundles = commandNames.map(name => path.join(outdir, 'commands', `${name}.cjs`));
	const warm = await warmRepo();
	try {
		execFileSync(process.execPath, ['-e', cacheMaker, ...bundles], {
			stdio: ['ignore', 'ignore', 'inherit'],
			cwd: outdir,
			env: {PATH: process.env.PATH, HOME: warm, PORT_HOME: path.join(warm, 'home'), PORT_WARM_REPO: path.join(warm, 'repo')},
		});
	} finally {
		await rm(warm, {recursive: true, force: true});
	}
}
const previous = `${finalDir}.old-${process.pid}`;
await rename(finalDir, previous).catch(error => {
	if (error.code !== 'ENOENT') throw error;
});
await rename(outdir, finalDir);
await rm(previous, {recursive: true, force: true});
