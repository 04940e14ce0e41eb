import {commandAliases} from './names.js';

/**
 * Optimal string alignment distance (Damerau-Levenshtein without repeated edits of one
 * substring): an insertion, deletion, substitution or swap of two adjacent letters costs 1, so
 * `lsit`, `dwon` and `iu` are one edit from `list`, `down` and `ui`.
 */
export function editDistance(a: string, b: string): number {
	const d = Array.from({length: a.length + 1}, (_, i) => Array.from({length: b.length + 1}, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
	for (let i = 1; i <= a.length; i++) {
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
			if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
		}
	}
	return d[a.length]![b.length]!;
}

/** Names people type for a command that port calls otherwise: the aliases (ls, rm, ...) and help. */
const habits: Record<string, string> = {...commandAliases, help: '--help'};

/**
 * The command `word` probably meant, if any: one edit from a command name (two for names longer
 * than four letters). Two-letter names (`ui`, `up`, `ls`, `rm`) count only a swap of their two
 * letters: one substitution would take most two-letter words.
 */
export function probableCommand(word: string, commandNames: readonly string[]): string | undefined {
	if (Object.hasOwn(habits, word)) return habits[word];
	let best: {name: string; distance: number} | undefined;
	for (const [name, meant] of [...commandNames.map(n => [n, n] as const), ...Object.entries(habits)]) {
		const distance = editDistance(word, name);
		const near = name.length <= 2 ? word.length === 2 && word === `${name[1]}${name[0]}` : distance <= (name.length > 4 ? 2 : 1);
		if (near && (!best || distance < best.distance)) best = {name: meant, distance};
	}
	return best?.name;
}
