import {mkdirSync, rmSync} from 'node:fs';
import {writeFileAtomic} from '../atomic-write.js';
import {readTextIfExists} from '../read-text.js';
import type {DnsMode} from './plan.js';
import {dnsStateDir, dnsStateFile} from './system.js';

/** What `port install` did ($PORT_HOME/dns/install.json), written after every step it takes. */
export interface DnsState {
	version: 1;
	mode: DnsMode;
	domain: string;
	installedAt: string;
	/** Files written; `previous` is the content a file had before (restored at uninstall). */
	files: Array<{path: string; previous?: string}>;
	/** Directories created, deepest first (removed at uninstall when empty). */
	dirs: string[];
	/** Hosts mode: the file with the managed block and whether a newline was added before it. */
	hosts?: {path: string; addedNewline: boolean};
	/** --shell-hook: the rc file with the hook block; `created` when install created the file. */
	rc?: {path: string; addedNewline: boolean; created: boolean};
	/** Commands that undo the commands run; `afterFiles` ones run once the files are gone. */
	undo: Array<{argv: string[]; afterFiles: boolean}>;
	/** Hosts mode: names added by `port enter` (registered services add theirs from the registry). */
	names: string[];
}

export function readDnsState(): DnsState | undefined {
	const text = readTextIfExists(dnsStateFile());
	if (text === undefined) return undefined;
	try {
		const value = JSON.parse(text) as DnsState;
		return value && value.version === 1 && typeof value.mode === 'string' && typeof value.domain === 'string' ? value : undefined;
	} catch {
		return undefined;
	}
}

export function writeDnsState(state: DnsState): void {
	mkdirSync(dnsStateDir(), {recursive: true});
	writeFileAtomic(dnsStateFile(), `${JSON.stringify(state, null, 2)}\n`);
}

export const clearDnsState = () => rmSync(dnsStateFile(), {force: true});
