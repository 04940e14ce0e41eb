import {closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync} from 'node:fs';
import path from 'node:path';
import {fsError} from './errors.js';
import {lazyRequire} from './lazy.js';

/**
 * Writes `target` so readers see the old content or the new one, never a mix or an empty
 * file: write `<name>.<random>.tmp` in the same directory (Traefik ignores `.tmp`), fsync,
 * then rename over the target. A failed write (disk full) removes the temp file and leaves
 * the target untouched.
 */
export function writeFileAtomic(target: string, content: string): void {
	const tmp = path.join(path.dirname(target), `${path.basename(target)}.${(lazyRequire('node:crypto') as typeof import('node:crypto')).randomBytes(4).toString('hex')}.tmp`);
	let fd: number | undefined;
	try {
		fd = openSync(tmp, 'wx', 0o644);
		writeSync(fd, content);
		fsyncSync(fd);
		closeSync(fd);
		fd = undefined;
		renameSync(tmp, target);
	} catch (error) {
		if (fd !== undefined) closeSync(fd);
		rmSync(tmp, {force: true});
		throw fsError('write', target, error);
	}
}
