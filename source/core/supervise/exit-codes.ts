import {constants} from 'node:os';
import {ExitCode} from '../errors.js';

/** How a supervised child ended. */
export interface ExitInfo {
	/** The child's exit code, or null when it died of a signal. */
	code: number | null;
	signal: NodeJS.Signals | null;
	/** Set when the command could not be started at all. */
	spawnError?: 'ENOENT' | 'EACCES' | string;
}

/** The exit code `port run` leaves with for a given child end (128+n for a signal, 127/126 for spawn errors). */
export function exitCodeFor(info: ExitInfo): number {
	if (info.spawnError === 'ENOENT') return ExitCode.notFound;
	if (info.spawnError) return ExitCode.notExecutable;
	if (info.signal) return signalExitCode(info.signal);
	return info.code ?? 1;
}

const signalNumber = (signal: NodeJS.Signals): number | undefined => constants.signals[signal as keyof typeof constants.signals];

/** The shell convention for "ended by signal n": 128 + n. */
export const signalExitCode = (signal: NodeJS.Signals) => 128 + (signalNumber(signal) ?? 0);
