import {readRegistry} from '../registry/registry.js';
import {hostnameFor} from '../names.js';
import {readTextIfExists} from '../read-text.js';
import {warn} from '../warnings.js';
import {renderBlock, withBlock} from './hosts-block.js';
import {replaceFile, writable} from './ops.js';
import {readDnsState, writeDnsState, type DnsState} from './state.js';
import {elevateCommand} from './system.js';

/** The name the hosts block always holds, so install can verify the block resolves. */
export const checkName = (domain: string) => `port-check.${domain}`;

/** Every name the hosts block should hold: the check name, names from enter, registered hostnames. */
export function wantedNames(state: Pick<DnsState, 'domain' | 'names'>): string[] {
	const registry = readRegistry();
	const suffix = `.${state.domain}`;
	const registered = [...registry.projects.map(p => hostnameFor(p.worktree, p.domain)), ...registry.hostServices.map(s => s.hostname)];
	return [...new Set([checkName(state.domain), ...state.names, ...registered])].filter(name => name.endsWith(suffix)).sort();
}

/**
 * The hook `enter`, `remove`, `run` and `up` call: after `port install` chose the hosts-file
 * mode, keeps the managed block equal to the wanted names. Nothing to do in other modes (the
 * file is read only when install recorded something). Never fails the command: a hosts file
 * it may not write (and `sudo -n` refused) is one warning with the fix.
 */
export function syncHosts(change: {add?: string[]; remove?: string[]} = {}): void {
	try {
		const state = readDnsState();
		if (state?.mode !== 'hosts' || !state.hosts) return;
		const names = new Set(state.names);
		for (const name of change.add ?? []) names.add(name);
		for (const name of change.remove ?? []) names.delete(name);
		if (names.size !== state.names.length || [...names].some(n => !state.names.includes(n))) writeDnsState({...state, names: [...names].sort()});
		const current = readTextIfExists(state.hosts.path) ?? '';
		const next = withBlock(current, renderBlock(wantedNames({domain: state.domain, names: [...names]}))).text;
		if (next === current) return;
		writeHosts(state.hosts.path, next);
	} catch (error) {
		warn(`could not update the hosts file: ${(error as Error).message}; run 'port install' to refresh it.`);
	}
}

/** Replaced atomically (temp file + rename, through `sudo -n` when it needs root). */
function writeHosts(file: string, text: string): void {
	if (writable(file)) return replaceFile(file, text);
	const elevate = elevateCommand();
	// Only sudo has a known "never prompt" flag; anything else would prompt in the middle of a command.
	if (elevate[0] !== 'sudo') throw new Error(`${file} needs root`);
	replaceFile(file, text, [...elevate, '-n']);
}
