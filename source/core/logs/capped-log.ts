import {closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, renameSync, rmSync} from 'node:fs';
import path from 'node:path';
import {writeAll} from '../atomic-write.js';
import {logsDir} from '../paths.js';

/** Per-service log cap; PORT_LOG_MAX_BYTES overrides the 10 MiB default. */
export function logCapBytes(): number {
	const fromEnv = Number(process.env['PORT_LOG_MAX_BYTES']);
	return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 10 * 1024 * 1024;
}

export const logFileFor = (id: string) => path.join(logsDir(), `${id}.log`);

/**
 * Appends a child's output to its log file so other processes (the dashboard) can follow it.
 * When the file passes the cap it is rotated to `<file>.1` (one generation kept), so disk use
 * stays under twice the cap whatever the child prints. Readers notice the shrink and restart.
 * A full disk never throws: a chunk that does not fit whole is dropped (the file is cut back to
 * where it began, so no half chunk is left) and the next chunk tries again.
 */
export class CappedLog {
	private fd: number | undefined;
	private size = 0;

	constructor(readonly file: string, private readonly cap = logCapBytes()) {
		try {
			mkdirSync(path.dirname(file), {recursive: true});
			this.open();
		} catch {
			// Retried on the next write; the service runs without a log meanwhile.
		}
	}

	private open(): void {
		this.fd = openSync(this.file, 'a');
		this.size = fstatSync(this.fd).size;
	}

	write(chunk: Uint8Array): void {
		try {
			if (this.fd === undefined) this.open();
		} catch {
			return;
		}
		const before = this.size;
		try {
			writeAll(this.fd!, chunk);
			this.size += chunk.length;
		} catch {
			// A full disk must not take the service down with it, nor leave half a chunk.
			try {
				ftruncateSync(this.fd!, before);
			} catch {
				// Nothing more can be done; the next write starts from wherever the file ends.
			}
			return;
		}
		try {
			if (this.size > this.cap) this.rotate();
		} catch {
			this.closeFd(); // reopened by the next write
		}
	}

	private rotate(): void {
		this.closeFd();
		renameSync(this.file, `${this.file}.1`);
		this.open();
	}

	private closeFd(): void {
		if (this.fd !== undefined) {
			try {
				closeSync(this.fd);
			} catch {
				// Already closed or the disk is gone; the fd is forgotten either way.
			}
		}
		this.fd = undefined;
	}

	close(): void {
		this.closeFd();
	}
}

export function removeLog(file: string): void {
	if (path.dirname(path.resolve(file)) !== logsDir()) return;
	rmSync(file, {force: true});
	rmSync(`${file}.1`, {force: true});
}
