import {accessSync, constants, existsSync, mkdirSync, rmSync, rmdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {ExitCode, PortError} from '../errors.js';
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

function exec(argv: string[], input?: string): void {
	const {spawnSync} = lazyRequire('node:child_process') as typeof import('node:child_process');
	const [file, ...args] = argv as [string, ...string[]];
	const result = spawnSync(file, args, {input, stdio: [input === undefined ? 'inherit' : 'pipe', 'ignore', 'pipe'], encoding: 'utf8'});
	if (result.error || result.status !== 0) {
		const reason = result.error ? result.error.message : (result.stderr ?? '').trim().split('\n')[0] || `exit code ${result.status}`;
		throw new PortError(`${shown(argv)} failed: ${reason}`, ExitCode.failure);
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
	if (writable(target)) writeFileSync(target, content);
	else exec(elevated(ops, ['tee', target]), content);
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

export function runCommand(ops: Ops, argv: string[]): void {
	const full = commandNeedsElevation() ? elevated(ops, argv) : argv;
	if (ops.dryRun) return ops.say(`run   ${shown(full)}`);
	exec(full);
}

