import {UsageError} from './errors.js';

/** Logical ports are written by people: exactly digits, 1-65535 (no `3e3`, ` 3000`, `-1`). */
export function parseLogicalPort(raw: string | undefined, usage: string): number {
	if (raw === undefined) throw new UsageError('Missing <logical-port>.', usage);
	if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 65_535) {
		throw new UsageError(`Invalid port "${raw}": expected an integer from 1 to 65535.`, usage);
	}
	return Number(raw);
}

/** Splits argv at the first `--`: ours before it, the child's command after it (untouched). */
export function splitArgv(argv: string[]): {ours: string[]; rest: string[] | undefined} {
	const index = argv.indexOf('--');
	return index === -1 ? {ours: argv, rest: undefined} : {ours: argv.slice(0, index), rest: argv.slice(index + 1)};
}
