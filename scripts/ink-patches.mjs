// Two changes to Ink 6.8 made while bundling (the installed files stay untouched):
//
// 1. Bounded text caches. Ink remembers the size of every distinct text it ever laid out
//    (measure-text.js, a Map) and every wrapped or truncated text (wrap-text.js, an object), for
//    the life of the process (vadimdemedes/ink#986). The dashboard's rows change every second
//    (uptime) and its log pane shows new lines all day: ~70 MB an hour with 20 services. Both
//    caches now start over at 4,096 entries (a frame uses a few hundred).
// 2. One width per text per frame. render-node-to-output.js measured each text's widest line
//    again on every frame (string-width walks graphemes once a text has a `●` or `─` in it:
//    ~0.1 ms for a service row); it now asks the (bounded) measure cache.
//
// Each replacement must match exactly once, or the build fails: an Ink upgrade has to look at
// these again (and may not need them: the caches are bounded upstream from ink#987).

export const inkCacheLimit = 4096;

const bounded = (set) => `if (cache.size >= ${inkCacheLimit}) cache.clear(); ${set}`;

export const inkPatches = [
	{
		file: 'ink/build/measure-text.js',
		replacements: [['cache.set(text, dimensions);', bounded('cache.set(text, dimensions);')]],
	},
	{
		file: 'ink/build/wrap-text.js',
		replacements: [
			['const cache = {};', 'const cache = new Map();'],
			['const cachedText = cache[cacheKey];', 'const cachedText = cache.get(cacheKey);'],
			['cache[cacheKey] = wrappedText;', bounded('cache.set(cacheKey, wrappedText);')],
		],
	},
	{
		file: 'ink/build/render-node-to-output.js',
		replacements: [
			["import widestLine from 'widest-line';", "import measureText from './measure-text.js';"],
			['const currentWidth = widestLine(text);', 'const currentWidth = measureText(text).width;'],
		],
	},
];

/** The patched text of one of Ink's files; throws when a replacement does not match exactly once. */
export function patchInkSource(file, contents) {
	const patch = inkPatches.find(p => file.replaceAll('\\', '/').endsWith(`node_modules/${p.file}`));
	if (!patch) return contents;
	let out = contents;
	for (const [from, to] of patch.replacements) {
		const count = out.split(from).length - 1;
		if (count !== 1) throw new Error(`Ink patch for ${patch.file}: expected "${from}" once, found it ${count} times (was Ink upgraded? see scripts/ink-patches.mjs)`);
		out = out.replace(from, to);
	}
	return out;
}

/** The esbuild plugin that applies the patches. */
export function inkPatchPlugin() {
	return {
		name: 'ink-patches',
		setup(build) {
			build.onLoad({filter: /[\\/]node_modules[\\/]ink[\\/]build[\\/](measure-text|wrap-text|render-node-to-output)\.js$/}, async args => {
				const {readFile} = await import('node:fs/promises');
				return {contents: patchInkSource(args.path, await readFile(args.path, 'utf8')), loader: 'js'};
			});
		},
	};
}
