import {PortError} from '../errors.js';

/**
 * Splits a command line into words like a shell would for plain words and quotes ('...',
 * "...", backslash), without running a shell: no variables, globs or operators.
 */
export function splitCommand(line: string): string[] {
	const words: string[] = [];
	let word = '';
	let inWord = false;
	let quote: '"' | "'" | undefined;
	for (let i = 0; i < line.length; i++) {
		const c = line[i]!;
		if (quote) {
			if (c === quote) quote = undefined;
			else if (c === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
			else word += c;
		} else if (c === '"' || c === "'") {
			quote = c;
			inWord = true;
		} else if (c === '\\' && i + 1 < line.length) {
			word += line[++i];
			inWord = true;
		} else if (/\s/.test(c)) {
			if (inWord) words.push(word);
			word = '';
			inWord = false;
		} else {
			word += c;
			inWord = true;
		}
	}
	if (quote) throw new PortError(`Unclosed ${quote} quote in the command.`);
	if (inWord) words.push(word);
	return words;
}
