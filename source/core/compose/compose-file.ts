import {readFileSync} from 'node:fs';
import {parseDocument, type Tags} from 'yaml';
import {configError, errnoCode} from '../errors.js';
import {interpolationEnv} from './env-file.js';
import {interpolate, type Env} from './interpolate.js';
import {parsePortEntry, type PortMapping} from './ports-syntax.js';

/**
 * The project's main Compose file, read with the `yaml` library: for friendly errors before any
 * docker call, and for commands that must work without Compose (`urls`, completion, doctor).
 * `port up` and `port compose` use the model Compose itself resolves (model.ts). The override
 * `port up` writes next to it is override-plan.ts.
 */

export interface ServiceInfo {
	name: string;
	/** True when the service declares `ports` (they are all removed by the override). */
	hasPorts: boolean;
	containerName?: string;
	networkMode?: string;
	/** The networks the service is on (`default` when it lists none). */
	networks: string[];
	ports: PortMapping[];
	image?: string;
}

export interface ComposeFile {
	file: string;
	services: ServiceInfo[];
	/** Things the user should know (udp ports skipped, ranges, network_mode services). */
	notes: string[];
}

/** Compose-specific YAML tags, so a base file that uses them still parses. */
export const composeTags: Tags = [
	{tag: '!reset', collection: 'seq', resolve: (value: unknown) => value},
	{tag: '!reset', collection: 'map', resolve: (value: unknown) => value},
	{tag: '!reset', resolve: () => null},
	{tag: '!override', collection: 'seq', resolve: (value: unknown) => value},
	{tag: '!override', collection: 'map', resolve: (value: unknown) => value},
	{tag: '!override', resolve: (value: string) => value},
];

/** `networks` as a list or a mapping -> its names; none listed means the implicit `default`. */
export function networkNames(raw: unknown): string[] {
	if (Array.isArray(raw)) return raw.length > 0 ? raw.map(String) : ['default'];
	if (typeof raw === 'object' && raw !== null && Object.keys(raw).length > 0) return Object.keys(raw);
	return ['default'];
}

export function readComposeFile(file: string, env?: Env): ComposeFile {
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		const code = errnoCode(error);
		if (code === 'ENOENT') throw configError(`Compose file not found: ${file}`, 'Create it, or set "compose" in .port/config.jsonc.');
		if (code === 'EISDIR') throw configError(`Compose file ${file} is a directory.`, 'Set "compose" in .port/config.jsonc to a file.');
		throw configError(`Cannot read compose file ${file}: ${(error as Error).message}`);
	}
	return parseComposeFile(text, file, env ?? interpolationEnv(file));
}

export function parseComposeFile(text: string, file: string, env: Env): ComposeFile {
	const doc = parseDocument(text, {merge: true, customTags: composeTags, prettyErrors: false});
	const first = doc.errors[0];
	if (first) {
		const line = first.linePos?.[0]?.line ?? (first.pos?.[0] === undefined ? undefined : text.slice(0, first.pos[0]).split('\n').length);
		const message = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
		throw configError(`${file}${line ? `:${line}` : ''}: not valid YAML: ${message}`);
	}
	let value: unknown;
	try {
		value = doc.toJS({maxAliasCount: 1000});
	} catch (error) {
		throw configError(`${file}: not valid YAML: ${(error as Error).message}`);
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw configError(`${file}: not a Compose file (expected a mapping with "services").`);
	}
	const services = (value as Record<string, unknown>)['services'];
	// A file that only `include:`s others has its services there (Compose resolves them).
	const includes = (value as Record<string, unknown>)['include'] !== undefined;
	if ((services === undefined || services === null) && !includes) throw configError(`${file}: no "services" section; nothing to run.`);
	if (services !== undefined && services !== null && (typeof services !== 'object' || Array.isArray(services))) throw configError(`${file}: "services" must be a mapping of service names.`);

	const notes: string[] = [];
	const result: ServiceInfo[] = [];
	for (const [name, raw] of Object.entries((services ?? {}) as Record<string, unknown>)) {
		if (raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) throw configError(`${file}: services.${name} must be a mapping.`);
		const service = (raw ?? {}) as Record<string, unknown>;
		const ports: PortMapping[] = [];
		const rawPorts = service['ports'];
		if (rawPorts !== undefined && rawPorts !== null && !Array.isArray(rawPorts)) throw configError(`${file}: services.${name}.ports must be a list.`);
		for (const [index, entry] of (rawPorts ?? []).entries()) {
			ports.push(...parsePortEntry(entry, `${file}: services.${name}.ports[${index}]`, env, notes));
		}
		const info: ServiceInfo = {name, hasPorts: Array.isArray(rawPorts) && rawPorts.length > 0, networks: networkNames(service['networks']), ports};
		if (typeof service['image'] === 'string') info.image = service['image'];
		for (const key of ['container_name', 'network_mode'] as const) {
			const v = service[key];
			if (v === undefined || v === null) continue;
			if (typeof v !== 'string') throw configError(`${file}: services.${name}.${key} must be a string.`);
			let expanded: string;
			try {
				expanded = interpolate(v, env);
			} catch (error) {
				throw configError(`${file}: services.${name}.${key}: ${(error as Error).message}`);
			}
			if (key === 'container_name') info.containerName = expanded;
			else info.networkMode = expanded;
		}
		result.push(info);
	}
	return {file, services: result, notes};
}
