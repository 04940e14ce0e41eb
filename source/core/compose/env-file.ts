import {readFileSync} from 'node:fs';
import path from 'node:path';
import type {Env} from './interpolate.js';

/** Parses a Compose `.env` file: KEY=VALUE lines, `export ` prefix, quotes, `#` comments. */
export function parseDotEnv(text: string): Record<string, string> {
	const result: Record<string, string> = {};
	for (const rawLine of text.split(/\r?\n/)) {
		const line = rawLine.trim();
		if (line === '' || line.startsWith('#')) continue;
		const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
		if (!match) continue;
		let value = match[2]!;
		const quote = value[0];
		if ((quote === '"' || quote === "'") && value.indexOf(quote, 1) > 0) {
			value = value.slice(1, value.indexOf(quote, 1));
			if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"');
		} else {
			value = value.replace(/\s+#.*$/, '').trim();
		}
		result[match[1]!] = value;
	}
	return result;
}

/**
 * The environment Compose would interpolate with: `.env` next to the compose file, then the
 * shell's (the shell wins).
 */
export function interpolationEnv(composeFile: string, shell: Env = process.env): Env {
	let dotEnv: Record<string, string> = {};
	try {
		dotEnv = parseDotEnv(readFileSync(path.join(path.dirname(composeFile), '.env'), 'utf8'));
	} catch {
		dotEnv = {};
	}
	return {...dotEnv, ...shell};
}
