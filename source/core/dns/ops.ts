import {accessSync, closeSync, constants, existsSync, fchmodSync, fchownSync, fsyncSync, mkdirSync, openSync, realpathSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync, type Stats} from 'node:fs';
import path from 'node:path';
import {writeAll} from '../atomic-write.js';
import {errnoCode, ExitCode, fsError, PortError} from '../errors.js';
import {lazyRequire} from '../lazy.js';

/**
 * File and command steps of install/uninstall: done directly when we may, else through the
 * elevate command (PORT_ELEVATE) with argument arrays (tee, mkdir, rm, rmdir; never a shell
 * string). In a dry run every step is printed and nothing changes.
 */
export interface Ops {
	dryRun: boolean;
	elevate: string[];
	say: (line: string) => void;
}

const isRoot = () => process.getuid?.() === 0;

/** Can we write `target` (or create it in its nearest existing ancestor) without elevation? */
export function writable(target: string): boolean {
	if (isRoot()) return true;
	let probe = target;
	while (!existsSync(probe) && path.dirname(probe) !== probe) probe = path.dirname(probe);
	try {
		accessSync(probe, constants.W_OK);
		return true;
	} catch {
		return false;
	}
}

/** Commands need root (systemctl, launchctl) unless we are root. */
export const commandNeedsElevation = () => !isRoot();

export const shown = (argv: string[]) => argv.map(a => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');

function exec(argv: string[], input?: string, failure: (reason: string) => PortError = reason => new PortError(`${shown(argv)} failed: ${reason}`, ExitCode.failure)): void {
	const {spawnSync} = lazyRequire('node:child_process') as typeof import('node:child_process');
	const [file, ...args] = argv as [string, ...string[]];
	const result = spawnSync(file, args, {input, stdio: [input === undefined ? 'inherit' : 'pipe', 'ignore', 'pipe'], encoding: 'utf8'});
	if (result.error || result.status !== 0) {
		const reason = result.error ? result.error.message : (result.stderr ?? '').trim().split('\n')[0] || `exit code ${result.status}`;
		throw failure(reason);
	}
}

const elevated = (ops: Ops, argv: string[]) => [...ops.elevate, ...argv];

/** `shownContent`: what a dry run prints instead of the whole content (the hosts block alone). */
export function writeFile(ops: Ops, target: string, content: string, shownContent = content): void {
	if (ops.dryRun) {
		ops.say(`write ${target}`);
		for (const line of shownContent.replace(/\n$/, '').split('\n')) ops.say(`    | ${line}`);
		return;
	}
	replaceFile(target, content, writable(target) ? undefined : ops.elevate);
}

const statOf = (file: string): Stats | undefined => {
	try {
		return statSync(file);
	} catch {
		return undefined;
	}
};

/** A hidden name next to the target: dnsmasq's conf-dir and editors skip dot files. */
const tempNextTo = (target: string) =>
	path.join(path.dirname(target), `.${path.basename(target)}.port-${(lazyRequire('node:crypto') as typeof import('node:crypto')).randomBytes(4).toString('hex')}.tmp`);

/**
 * Replaces `target` whole, never in place: the content goes to a temp file in the same
 * directory, which gets the old file's mode (and, as root, owner) and is renamed over it, so a
 * full disk leaves the old hosts file intact instead of a truncated one. A symlink (an rc file
 * from a dotfiles repo) is followed. `elevate`: do it with tee, chmod, chown and mv through that
 * command (argument arrays). Any failure removes the temp file and throws a PortError (exit 3).
 */
export function replaceFile(file: string, content: string, elevate?: string[]): void {
	let target = file;
	try {
		target = realpathSync(file);
	} catch {
		// a new file
	}
	const old = statOf(target);
	const tmp = tempNextTo(target);
	if (elevate) return replaceElevated(elevate, file, target, tmp, content, old);
	let fd: number | undefined;
	try {
		fd = openSync(tmp, 'wx', 0o600);
		writeAll(fd, Buffer.from(content, 'utf8'));
		fsyncSync(fd);
		fchmodSync(fd, old ? old.mode & 0o7777 : 0o644);
		if (old && isRoot()) fchownSync(fd, old.uid, old.gid);
		closeSync(fd);
		fd = undefined;
		renameSync(tmp, target);
	} catch (error) {
		if (fd !== undefined) closeQuietly(fd);
		rmSync(tmp, {force: true});
		// Written in place as before when it cannot be replaced: a bind-mounted file (/etc/hosts in a
		// container; EBUSY) or a file the user may write in a directory they may not (a hosts file
		// made 0666 to avoid sudo; EACCES/EPERM).
		if (old && ['EBUSY', 'EACCES', 'EPERM'].includes(errnoCode(error) ?? '')) return writeInPlace(file, target, content);
		throw fsError('write', file, error);
	}
}

function replaceElevated(elevate: string[], file: string, target: string, tmp: string, content: string, old: Stats | undefined): void {
	const failed = (reason: string) => new PortError(`Cannot write ${file}: ${reason}`, ExitCode.config);
	try {
		exec([...elevate, 'tee', tmp], content, failed);
		if (old) {
			exec([...elevate, 'chmod', (old.mode & 0o7777).toString(8), tmp], undefined, failed);
			exec([...elevate, 'chown', `${old.uid}:${old.gid}`, tmp], undefined, failed);
		}
		exec([...elevate, 'mv', '-f', tmp, target], undefined, failed);
	} catch (error) {
		try {
			exec([...elevate, 'rm', '-f', tmp]);
		} catch {
			// reported below: the write failed and the target is untouched
		}
		throw error;
	}
}

function writeInPlace(file: string, target: string, content: string): void {
	try {
		writeFileSync(target, content);
	} catch (error) {
		throw fsError('write', file, error);
	}
}

function closeQuietly(fd: number): void {
	try {
		closeSync(fd);
	} catch {
		// the temp file is removed either way
	}
}

export function removeFile(ops: Ops, target: string): void {
	if (ops.dryRun) return ops.say(`remove ${target}`);
	if (writable(target)) rmSync(target, {force: true});
	else exec(elevated(ops, ['rm', '-f', target]));
}

/** Creates the missing directories above `target`; returns those it created, deepest first. */
export function makeParents(ops: Ops, target: string): string[] {
	const missing: string[] = [];
	for (let dir = path.dirname(target); !existsSync(dir) && path.dirname(dir) !== dir; dir = path.dirname(dir)) missing.push(dir);
	if (missing.length === 0) return [];
	if (ops.dryRun) ops.say(`mkdir ${missing[missing.length - 1]}${missing.length > 1 ? ` (and ${missing.length - 1} below it)` : ''}`);
	else if (writable(missing[0]!)) mkdirSync(missing[0]!, {recursive: true});
	else exec(elevated(ops, ['mkdir', '-p', missing[0]!]));
	return missing;
}

/** Removes a directory install created, if it is empty now (anything else put there stays). */
export function removeDirIfEmpty(ops: Ops, dir: string): void {
	if (ops.dryRun) return ops.say(`rmdir ${dir} (if empty)`);
	try {
		if (writable(dir)) rmdirSync(dir);
		else exec(elevated(ops, ['rmdir', dir]));
	} catch {
		// not empty, or already gone: leave it
	}
}

/** `mayFail`: a step whose failure is expected and harmless (launchctl bootout of a daemon not loaded). */
export function runCommand(ops: Ops, argv: string[], mayFail = false): void {
	const full = commandNeedsElevation() ? elevated(ops, argv) : argv;
	if (ops.dryRun) return ops.say(`run   ${shown(full)}${mayFail ? ' (a failure is ignored)' : ''}`);
	try {
		exec(full);
	} catch (error) {
		if (!mayFail) throw error;
	}
}

