import {spawn} from 'node:child_process';
import type {Writable} from 'node:stream';
import {CappedLog, logCapBytes, removeLog} from './capped-log.js';

// The relay's whole program, run with `node -e` (works from the bundle and from the sources
// alike: it cannot load capped-log.ts, which exists only bundled or as TypeScript). It MIRRORS
// CappedLog's rules, keep them in step: append what arrives on stdin; a chunk that cannot be
// written whole (full disk, file-size limit) is cut back to where it began and the next one tries
// again; past the cap, rotate by rename (a rename loses nothing; copy-then-truncate drops what is
// written in between); a failed open or rename is retried on the next chunk. One difference: a
// rename that finds the file gone (the service ended and its logs were removed) ends logging, so
// no new file appears. It ignores the signals a terminal or a process-group stop sends (and
// SIGXFSZ: a file-size limit is an error like a full disk), and ends at EOF (last writer gone).
export const relayProgram = `
const fs = require('node:fs');
const file = process.env.PORT_RELAY_FILE;
const cap = Number(process.env.PORT_RELAY_CAP);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGPIPE', 'SIGXFSZ']) process.on(signal, () => {});
let fd;
let size = 0;
let gone = false;
const open = () => {
	fd = fs.openSync(file, 'a');
	size = fs.fstatSync(fd).size;
};
const closeFd = () => {
	try {
		if (fd !== undefined) fs.closeSync(fd);
	} catch {}
	fd = undefined;
};
try {
	open();
} catch {}
process.stdin.on('data', chunk => {
	if (gone) return;
	try {
		if (fd === undefined) open();
	} catch {
		return;
	}
	const before = size;
	try {
		for (let done = 0; done < chunk.length; ) done += fs.writeSync(fd, chunk, done);
		size += chunk.length;
	} catch {
		try {
			fs.ftruncateSync(fd, before);
		} catch {}
		return;
	}
	if (size <= cap) return;
	closeFd();
	try {
		fs.renameSync(file, file + '.1');
		open();
	} catch (error) {
		if (error.code === 'ENOENT' && !fs.existsSync(file)) gone = true;
	}
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
	const relay = spawn(process.execPath, ['-e', relayProgram], {
		detached: true,
		stdio: ['pipe', 'ignore', 'ignore'],
		// Parameters travel in the environment: the relay is one inline program, its argv is node's.
		env: {...process.env, PORT_RELAY_FILE: file, PORT_RELAY_CAP: String(cap)},
	});
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
