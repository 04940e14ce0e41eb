import {close as closeInBackground, fstatSync, openSync, readSync, statSync} from 'node:fs';
import {StringDecoder} from 'node:string_decoder';
import {execa, type ResultPromise} from 'execa';

export interface Follower {
	stop(): void;
}

export interface FollowFileOptions {
	/** How much of an existing file to show at first (its tail). */
	initialBytes?: number;
	/** Poll interval in ms (a stat per tick; reads only when the file grew). */
	interval?: number;
	/** Bytes read per tick at most; the rest is read `busyInterval` ms later. */
	chunkBytes?: number;
	/** Pause between reads while more is waiting (keeps a flood from starving rendering and keys). */
	busyInterval?: number;
	/** When more than this is unread, skip to the last `initialBytes` (a flood can't be shown anyway). */
	maxBacklog?: number;
	/** Start at this byte offset of the file (what came before was shown already); overrides initialBytes. */
	from?: number;
}

/**
 * Closed off the event loop: the last descriptor of a rotated-away 10 MiB log frees its blocks on
 * close, which took 11 ms on the main thread in a flood (bench/ui-flood.mjs). The number is
 * never used again by us, whenever the close completes.
 */
const closeFile = (fd: number) => closeInBackground(fd, () => {});

const skippedNote = (bytes: number) => `\u001B[2m[port: skipped ${(bytes / 1024 / 1024).toFixed(1)} MB of output to keep up]\u001B[0m\n`;

/**
 * Follows a log file like `tail -F`: starts with its last `initialBytes`, then reads what is
 * appended. Handles the file not existing yet, rotation (rename to `.1` and a new file: the
 * rest of the old one is read first), truncation in place (read again from 0), and floods
 * (bounded reads with a short pause between them, so at most ~25 MB/s is ingested by default and the
 * event loop stays free for keys and frames; a backlog past `maxBacklog` is skipped with a note). Text reaches
 * `onText` decoded as UTF-8 (a character split across reads is kept whole).
 */
export function followFile(file: string, onText: (text: string) => void, options: FollowFileOptions = {}): Follower {
	const initialBytes = options.initialBytes ?? 256 * 1024;
	const interval = options.interval ?? 100;
	const chunkBytes = options.chunkBytes ?? 256 * 1024;
	const maxBacklog = options.maxBacklog ?? 1024 * 1024;
	const busyInterval = options.busyInterval ?? 10;
	const buffer = Buffer.allocUnsafe(chunkBytes);
	let decoder = new StringDecoder('utf8');
	let fd: number | undefined;
	let ino = 0;
	let offset = 0;
	let first = true;
	let stopped = false;
	let timer: NodeJS.Timeout | undefined;
	let dropToNewline = false;
	/** The first bytes of the file we follow, to recognise its copy in `<file>.1`. */
	let head: Buffer | undefined;
	const headBytes = 64;

	const close = () => {
		if (fd !== undefined) closeFile(fd);
		fd = undefined;
	};

	const emit = (text: string) => {
		if (dropToNewline) {
			const newline = text.indexOf('\n');
			if (newline === -1) return;
			text = text.slice(newline + 1);
			dropToNewline = false;
		}
		if (text !== '') onText(text);
	};

	/** Reads one chunk from the open file; true when more is waiting. */
	const readChunk = (size: number): boolean => {
		if (fd === undefined) return false;
		if (size - offset > maxBacklog) {
			const skipTo = size - initialBytes;
			const flushed = decoder.end();
			if (flushed) emit(flushed);
			onText(`\n${skippedNote(skipTo - offset)}`);
			decoder = new StringDecoder('utf8');
			offset = skipTo;
			dropToNewline = true;
		}
		const want = Math.min(chunkBytes, size - offset);
		if (want <= 0) return false;
		const position = offset;
		const read = readSync(fd, buffer, 0, want, offset);
		if (read <= 0) return false;
		if (position === 0 && (head === undefined || head.length < headBytes)) head = Buffer.from(buffer.subarray(0, Math.min(read, headBytes)));
		offset += read;
		emit(decoder.write(buffer.subarray(0, read)));
		return offset < size;
	};

	/** Reads `<file>.1` from our offset to its end (bounded like any backlog). */
	const drainCopy = () => {
		let copy: number | undefined;
		try {
			copy = openSync(`${file}.1`, 'r');
			const size = fstatSync(copy).size;
			if (size <= offset || !head || head.length === 0) return;
			// Only a copy of THIS file (same first bytes), not an older generation.
			const start = Buffer.alloc(head.length);
			if (readSync(copy, start, 0, head.length, 0) !== head.length || !start.equals(head)) return;
			const main = fd;
			fd = copy;
			try {
				while (readChunk(size)) {
					// bounded: readChunk skips anything past maxBacklog
				}
			} finally {
				fd = main;
			}
		} catch {
			// No copy (or it is gone already): nothing to recover.
		} finally {
			if (copy !== undefined) closeFile(copy);
		}
	};

	const open = (): boolean => {
		try {
			fd = openSync(file, 'r');
		} catch {
			return false;
		}
		const stats = fstatSync(fd);
		ino = stats.ino;
		const start = Buffer.alloc(Math.min(headBytes, stats.size));
		head = start.length > 0 ? start.subarray(0, readSync(fd, start, 0, start.length, 0)) : undefined;
		decoder = new StringDecoder('utf8');
		if (first && options.from !== undefined && options.from <= stats.size) {
			offset = options.from;
		} else if (first && stats.size > initialBytes) {
			offset = stats.size - initialBytes;
			dropToNewline = true;
		} else {
			offset = 0;
		}
		first = false;
		return true;
	};

	const tick = () => {
		timer = undefined;
		if (stopped) return;
		let more = false;
		try {
			if (fd === undefined && !open()) {
				first = false;
				return schedule(interval);
			}
			let current: ReturnType<typeof statSync> | undefined;
			try {
				current = statSync(file);
			} catch {
				current = undefined;
			}
			if (current && current.ino !== ino) {
				// Rotated: finish the old file, then start the new one from its beginning.
				if (!readChunk(fstatSync(fd!).size)) {
					close();
					first = false;
					open();
				}
				more = true;
			} else {
				const size = fstatSync(fd!).size;
				if (size < offset) {
					// Truncated in place (port's own logs rotate by rename; a copy-then-truncate
					// rotation by another tool): what we had not read yet may be at the end of the
					// copy. Read it there, then start again from the top.
					drainCopy();
					head = undefined;
					offset = 0;
					decoder = new StringDecoder('utf8');
					dropToNewline = false;
				}
				more = readChunk(size);
			}
		} catch {
			close();
		}
		schedule(more ? busyInterval : interval);
	};

	const schedule = (ms: number) => {
		if (stopped) return;
		timer = ms === 0 ? (setImmediate(tick) as unknown as NodeJS.Timeout) : setTimeout(tick, ms);
		if (ms !== 0) timer.unref?.();
	};

	tick();
	return {
		stop() {
			stopped = true;
			if (timer) {
				clearTimeout(timer);
				clearImmediate(timer as unknown as NodeJS.Immediate);
			}
			close();
		},
	};
}

/**
 * Follows a long-running command's output (`docker compose logs --follow`): argument array,
 * no shell, nothing buffered in memory. `onEnd` runs once it exits (with a reason if it failed).
 */
export function followCommand(file: string, args: string[], onText: (text: string) => void, onEnd?: (problem?: string) => void, cwd?: string): Follower {
	let stopped = false;
	let child: ResultPromise | undefined;
	try {
		child = execa(file, args, {buffer: false, reject: false, stdin: 'ignore', cwd, all: true});
	} catch (error) {
		onEnd?.(String(error));
		return {stop() {}};
	}
	const decoder = new StringDecoder('utf8');
	child.all?.on('data', (chunk: Buffer) => {
		if (!stopped) onText(decoder.write(chunk));
	});
	void child.then(result => {
		if (stopped) return;
		const rest = decoder.end();
		if (rest) onText(rest);
		onEnd?.(result.failed ? (result.code === 'ENOENT' ? `${file} not found` : `exit code ${result.exitCode ?? '?'}`) : undefined);
	});
	return {
		stop() {
			stopped = true;
			child?.kill();
		},
	};
}
