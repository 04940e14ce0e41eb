// The worktree log view: every service of a worktree in one buffer, interleaved in the order
// their lines arrived, each line prefixed with the service's name in its own colour (like
// `port run` with several services). Search and scrolling work on it like on any log.
import type {DeclaredService} from '../supervise/declared.js';
import type {LogBuffer} from '../logs/buffer.js';
import {worktreeKey} from './selectors.js';
import {linePrefix, prefixColor} from '../logs/prefix.js';


export interface Merger {
	/** Compose output of a worktree (`wt:<name>`), as text: it goes into the merged view prefixed `compose`. */
	feed(key: string, text: string): boolean;
	/** Complete, already cleaned lines that a host service's buffer just took; false if `key` is not a host of this repository. */
	feedLines(key: string, lines: string[]): boolean;
}

/** `host:<repo>:<branch>:<port>` of this repository → worktree and logical port. */
function hostOf(key: string, repoRoot: string): {branch: string; port: number} | undefined {
	const head = `host:${repoRoot}:`;
	if (!key.startsWith(head)) return undefined;
	const rest = key.slice(head.length);
	const colon = rest.lastIndexOf(':');
	if (colon <= 0) return undefined;
	return {branch: rest.slice(0, colon), port: Number(rest.slice(colon + 1))};
}

export function createMerger(repoRoot: string, services: Record<string, DeclaredService>, bufferFor: (key: string) => LogBuffer): Merger {
	const declared = Object.entries(services);
	const width = Math.max(7, ...declared.map(([name]) => name.length));
	/** The unterminated last line of each source, so lines of two services never join. */
	const partials = new Map<string, string>();
	const prefixes = new Map<string, string>();

	const prefixOf = (source: string, port: number | undefined) => {
		let prefix = prefixes.get(source);
		if (prefix === undefined) {
			const index = port === undefined ? -1 : declared.findIndex(([, s]) => s.port === port);
			const name = port === undefined ? 'compose' : index >= 0 ? declared[index]![0] : `:${port}`;
			prefix = linePrefix(name.padEnd(width), port === undefined ? 2 : prefixColor(index >= 0 ? index : port));
			prefixes.set(source, prefix);
		}
		return prefix;
	};

	return {
		feed(key, text) {
			if (!key.startsWith('wt:')) return false;
			const prefix = prefixOf(key, undefined);
			const parts = ((partials.get(key) ?? '') + text).split('\n');
			const rest = parts.pop()!;
			// A line without a newline for ever is bounded like any other log line.
			partials.set(key, rest.length > 4000 ? rest.slice(0, 4000) : rest);
			if (parts.length > 0) bufferFor(key).append(`${prefix}${parts.join(`\n${prefix}`)}\n`);
			return true;
		},
		feedLines(key, lines) {
			const host = hostOf(key, repoRoot);
			if (!host) return false;
			const prefix = prefixOf(key, host.port);
			// Cleaned once by the service's own buffer: only the prefix is added here.
			bufferFor(worktreeKey(host.branch)).appendClean(lines.map(line => prefix + line));
			return true;
		},
	};
}
