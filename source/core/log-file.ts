import {closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync} from 'node:fs';
import path from 'node:path';
import {logsDir} from './paths.js';

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
 */
export class CappedLog {
	private fd: number | undefined;
	private size = 0;

	constructor(readonly file: string, private readonly cap = logCapBytes()) {
		mkdirSync(path.dirname(file), {recursive: true});
		this.open();
	}

	private open(): void {
		this.fd = openSync(this.file, 'a');
		this.size = fstatSync(this.fd).size;
	}

	write(chunk: Uint8Array): void {
		if (this.fd === undefined) return;
		try {
			this.size += writeSync(this.fd, chunk);
			if (this.size > this.cap) this.rotate();
		} catch {
			// A full disk must not take the service down with it; logging pauses instead.
		}
	}

	private rotate(): void {
		this.closeFd();
		renameSync(this.file, `${this.file}.1`);
		this.open();
	}

	private closeFd(): void {
		if (this.fd !== undefined) closeSync(this.fd);
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
