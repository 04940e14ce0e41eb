import {existsSync, mkdirSync} from 'node:fs';
import path from 'node:path';
import {writeFileAtomic} from '../atomic-write.js';
import {fsError} from '../errors.js';
import {hookExamples, hooksDir} from './hooks.js';

/** Writes the example hooks that are missing (mode 644: inert); one line per file. */
export function writeHookExamples(repoRoot: string): string[] {
	const dir = hooksDir(repoRoot);
	const lines: string[] = [];
	try {
		mkdirSync(dir, {recursive: true});
		for (const [name, text] of hookExamples) {
			const file = path.join(dir, name);
			const rel = path.relative(repoRoot, file);
			if (existsSync(file)) {
				lines.push(`kept     ${rel}`);
				continue;
			}
			writeFileAtomic(file, text);
			lines.push(`created  ${rel}`);
		}
	} catch (error) {
		throw fsError('create', dir, error);
	}
	return lines;
}
