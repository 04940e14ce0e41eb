import {closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync} from 'node:fs';
import path from 'node:path';
import {fsError} from './errors.js';
import {lazyRequire} from './lazy.js';

/**
 * Writes every byte of `data` at the fd's position. `writeSync` may write fewer bytes than asked
 * (a nearly full disk writes what fits and reports no error); ignoring that count once renamed a
 * 4 KiB prefix of the registry over the whole file. A write that makes no progress is an error.
 */
export function writeAll(fd: number, data: Uint8Array): void {
	let offset = 0;
	while (offset < data.length) {
		const written = writeSync(fd, data, offset, data.length - offset);
		if (written <= 0) throw Object.assign(new Error('no space left on device'), {code: 'ENOSPC'});
		offset += written;
	}
}

/** Writes and fsyncs `<target>.<random>.tmp`; on failure removes it and throws a PortError (exit 3). */
function writeTemp(target: string, content: string | Uint8Array): string {
	const tmp = path.join(path.dirname(target), `${path.basename(target)}.${(lazyRequire('node:crypto') as typeof import('node:crypto')).randomBytes(4).toString('hex')}.tmp`);
	let fd: number | undefined;
	try {
		fd = openSync(tmp, 'wx', 0o644);
		writeAll(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
		fsyncSync(fd);
		closeSync(fd);
		return tmp;
	} catch (error) {
		if (fd !== undefined) {
			try {
				closeSync(fd);
			} catch {
				// The temp file is removed below either way.
			}
		}
		removeQuietly(tmp);
		throw fsError('write', target, error);
	}
}

function removeQuietly(file: string): void {
	try {
		rmSync(file, {force: true});
	} catch {
		// Reported by the caller: the write failed and the target is untouched.
	}
}

/**
 * Writes `target` so readers see the old content or the new one, never a mix or an empty
 * file: write `<name>.<random>.tmp` in the same directory (Traefik ignores `.tmp`), fsync,
 * then rename over the target. A failed write (disk full) removes the temp file, leaves the
 * target untouched and throws a PortError (exit 3) naming the file and the cause.
 */
export function writeFileAtomic(target: string, content: string | Uint8Array): void {
	writeFilesAtomic([[target, content]]);
}

/**
 * Several files that belong together (traefik.yml and its docker-compose.yml): every temp file
 * is written first, and only when all are complete are they renamed into place (renames need
 * no space), so a full disk leaves all of them old rather than some new and some old.
 */
export function writeFilesAtomic(files: Array<readonly [target: string, content: string | Uint8Array]>): void {
	const temps: Array<[tmp: string, target: string]> = [];
	try {
		for (const [target, content] of files) temps.push([writeTemp(target, content), target]);
	} catch (error) {
		for (const [tmp] of temps) removeQuietly(tmp);
		throw error;
	}
	for (let i = 0; i < temps.length; i++) {
		const [tmp, target] = temps[i]!;
		try {
			renameSync(tmp, target);
		} catch (error) {
			for (const [rest] of temps.slice(i)) removeQuietly(rest);
			throw fsError('write', target, error);
		}
	}
}
