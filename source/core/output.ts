import {writeSync} from 'node:fs';
import {errnoCode} from './errors.js';

/**
 * Writes a command's output to fd 1 without creating `process.stdout`: the stream (a file,
 * pipe or terminal wrapper with Node's stream stack) costs ~4 ms of start-up, a quarter of
 * `port list`'s whole budget (bench/startup.mjs). Partial writes are continued; a non-blocking
 * descriptor that is full (EAGAIN) hands the rest to process.stdout, and a closed reader
 * (`port list | head -1`, EPIPE) ends the output quietly, like cli.ts does for the stream.
 */
export function writeStdout(text: string): void {
	let pending = Buffer.from(text);
	while (pending.length > 0) {
		try {
			pending = pending.subarray(writeSync(1, pending));
		} catch (error) {
			const code = errnoCode(error);
			if (code === 'EAGAIN') {
				process.stdout.write(pending);
				return;
			}
			if (code === 'EPIPE') {
				process.exitCode ??= 0;
				return;
			}
			throw error;
		}
	}
}
