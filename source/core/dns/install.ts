import {existsSync} from 'node:fs';
import {ExitCode, PortError} from '../errors.js';
import {readTextIfExists} from '../read-text.js';
import {sleep} from '../sleep.js';
import {renderBlock, removeBlock, withBlock} from './hosts-block.js';
import {rcMarkers} from './rc-hook.js';
import {checkName, wantedNames} from './hosts-sync.js';
import {makeParents, removeDirIfEmpty, removeFile, runCommand, writeFile, type Ops} from './ops.js';
import type {Plan} from './plan.js';
import {randomName, resolvesToLoopback} from './resolve.js';
import {clearDnsState, readDnsState, writeDnsState, type DnsState} from './state.js';

/**
 * Carries out an install plan, recording each step in $PORT_HOME/dns/install.json as soon as
 * it is done, so `port uninstall` can undo a half-finished install too. Running it again with
 * the same mode and domain refreshes what it wrote; another mode or domain is refused.
 */
export function applyInstall(plan: Plan, ops: Ops): DnsState {
	const previous = readDnsState();
	if (previous && (previous.mode !== plan.mode || previous.domain !== plan.domain)) {
		throw new PortError(`Already installed for *.${previous.domain} (${previous.mode} mode).`, ExitCode.conflict, "Run 'port uninstall' first.");
	}
	const state: DnsState = previous ?? {version: 1, mode: plan.mode, domain: plan.domain, installedAt: new Date().toISOString(), files: [], dirs: [], undo: [], names: []};
	const save = () => ops.dryRun || writeDnsState(state);
	for (const step of plan.steps) {
		if (step.kind === 'write') {
			const before = readTextIfExists(step.path);
			if (before === step.content) continue;
			state.dirs.push(...makeParents(ops, step.path));
			if (!state.files.some(f => f.path === step.path)) state.files.push(before === undefined ? {path: step.path} : {path: step.path, previous: before});
			writeFile(ops, step.path, step.content);
		} else if (step.kind === 'hosts') {
			const before = readTextIfExists(step.path) ?? '';
			const block = renderBlock(wantedNames(state));
			const {text, addedNewline} = withBlock(before, block);
			state.hosts = {path: step.path, addedNewline: state.hosts?.addedNewline ?? addedNewline};
			if (text !== before) writeFile(ops, step.path, text, `(the managed block; the rest of the file is kept)\n${block}`);
		} else if (step.kind === 'rc') {
			const before = readTextIfExists(step.path);
			state.dirs.push(...makeParents(ops, step.path));
			const {text, addedNewline} = withBlock(before ?? '', step.block, rcMarkers);
			state.rc ??= {path: step.path, addedNewline, created: before === undefined};
			if (text !== before) writeFile(ops, step.path, text, step.block);
		} else {
			runCommand(ops, step.argv, step.mayFail);
			if (step.undo && !state.undo.some(u => u.argv.join('\0') === step.undo!.join('\0'))) state.undo.push({argv: step.undo, afterFiles: step.undoAfterFiles ?? false});
		}
		save();
	}
	save();
	return state;
}

/** Undoes exactly what the recorded install did; returns false when nothing was installed. */
export function applyUninstall(ops: Ops): boolean {
	const state = readDnsState();
	if (!state) return false;
	for (const undo of state.undo.filter(u => !u.afterFiles).reverse()) runCommand(ops, undo.argv);
	if (state.hosts) {
		const text = readTextIfExists(state.hosts.path);
		if (text !== undefined) {
			const next = removeBlock(text, state.hosts.addedNewline);
			if (next !== text) writeFile(ops, state.hosts.path, next);
		}
	}
	if (state.rc) {
		const text = readTextIfExists(state.rc.path);
		const next = text === undefined ? undefined : removeBlock(text, state.rc.addedNewline, rcMarkers);
		if (next === '' && state.rc.created) removeFile(ops, state.rc.path);
		else if (next !== undefined && next !== text) writeFile(ops, state.rc.path, next, '(the shell hook block removed)\n');
	}
	for (const file of [...state.files].reverse()) {
		if (file.previous !== undefined) writeFile(ops, file.path, file.previous);
		else if (ops.dryRun || existsSync(file.path)) removeFile(ops, file.path);
	}
	// Deepest first: /etc/resolver (made by a later step) must go before the /etc an earlier step made.
	for (const dir of [...state.dirs].sort((a, b) => b.length - a.length)) removeDirIfEmpty(ops, dir);
	for (const undo of state.undo.filter(u => u.afterFiles)) runCommand(ops, undo.argv);
	if (!ops.dryRun) clearDnsState();
	return true;
}

/**
 * Checks the result the way a browser would: a random name under the domain (any name must
 * work), or in hosts mode the check name the block holds. Retries briefly: resolvers take a
 * moment to pick up new configuration.
 */
export async function verifyInstall(state: Pick<DnsState, 'mode' | 'domain'>, attempts = 6): Promise<{ok: boolean; name: string}> {
	if (state.mode === 'none') return {ok: true, name: `x.${state.domain}`};
	const name = state.mode === 'hosts' ? checkName(state.domain) : randomName(state.domain);
	for (let i = 0; i < attempts; i++) {
		if (await resolvesToLoopback(name)) return {ok: true, name};
		await sleep(250 * (i + 1));
	}
	return {ok: false, name};
}
