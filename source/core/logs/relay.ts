import {spawn} from 'node:child_process';
import type {Writable} from 'node:stream';
import {CappedLog, logCapBytes, removeLog} from './capped-log.js';

// The relay's whole program, run with `node -e` (works from the bundle and from the sources
// alike). It appends what arrives on stdin to the log and rotates by rename, like CappedLog:
// a rename loses nothing (copy-then-truncate drops what is written in between). It ignores the
// signals a terminal or a process-group stop sends, and ends when the last writer is gone (EOF).
const program = `
const fs = require('node:fs');
const [file, capText] = process.argv.slice(1);
const cap = Number(capText);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGPIPE']) process.on(signal, () => {});
let fd = fs.openSync(file, 'a');
let size = fs.fstatSync(fd).size;
process.stdin.on('data', chunk => {
	if (fd === undefined) return;
	try {
		for (let done = 0; done < chunk.length; ) done += fs.writeSync(fd, chunk, done);
		size += chunk.length;
		if (size <= cap) return;
		fs.closeSync(fd);
		fd = undefined;
		// Gone (the service ended and its logs were removed): write no new file.
		fs.renameSync(file, file + '.1');
		fd = fs.openSync(file, 'a');
		size = 0;
	} catch {}
});
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
`;

export interface LogRelay {
	/** The write end the service's stdout and stderr go to (hand it to spawn as a stream). */
	input: Writable;
	/** Lets go of our copy of the write end: the relay ends once the service's copies close too. */
	release(): void;
}

/**
 * A small detached process that writes a service's output into its capped log file. It
 * outlives this process, so a service the dashboard leaves running keeps its log, and the
 * service never writes into a file someone truncates under it.
 */
export function startLogRelay(file: string, cap = logCapBytes()): LogRelay {
	removeLog(file);
	// The file exists from the start, so followers find it at once.
	new CappedLog(file).close();
	const relay = spawn(process.execPath, ['-e', program, file, String(cap)], {detached: true, stdio: ['pipe', 'ignore', 'ignore']});
	relay.unref();
	relay.on('error', () => {});
	const input = relay.stdin!;
	input.on('error', () => {});
	(input as unknown as {unref?: () => void}).unref?.();
	return {
		input,
		release: () => input.destroy(),
	};
}
