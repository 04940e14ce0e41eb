import {readFileSync} from 'node:fs';
import path from 'node:path';
import {Document, YAMLMap, YAMLSeq, isMap, parseDocument, type Tags} from 'yaml';
import {ExitCode, PortError, errnoCode} from '../errors.js';
import {hostnameFor, shortHash} from '../names.js';
import {traefikNetwork, entrypointName, managedLabel} from '../traefik/static-files.js';
import {protocolOf, type Protocol, type TcpPort} from './tcp-ports.js';

/**
 * The project's Compose file, read with the `yaml` library (never `docker compose config`: it
 * needs an engine-side binary and drops the `!reset` tags), its published ports, and the
 * override that `port up` writes to make every worktree's stack reachable through Traefik
 * instead of through host ports.
 */

/** One published port that Traefik routes: `<worktree>.<domain>:<published>` -> container `<target>`. */
export interface Route {
	service: string;
	published: number;
	target: number;
	/** Router and Traefik service name: unique per repository + worktree + service + port. */
	router: string;
}

export interface ServiceInfo {
	name: string;
	/** True when the service declares `ports` (they are all removed by the override). */
	hasPorts: boolean;
	containerName?: string;
	networkMode?: string;
	/** Whether the service lists `networks` itself (else it is on the implicit `default`). */
	hasNetworks: boolean;
	ports: PortMapping[];
	image?: string;
}

export interface PortMapping {
	published: number;
	target: number;
	protocol: string;
}

export interface ComposeFile {
	file: string;
	services: ServiceInfo[];
	/** Things the user should know (udp ports skipped, ranges, network_mode services). */
	notes: string[];
}

/** Compose-specific YAML tags, so a base file that uses them still parses. */
const composeTags: Tags = [
	{tag: '!reset', collection: 'seq', resolve: (value: unknown) => value},
	{tag: '!reset', collection: 'map', resolve: (value: unknown) => value},
	{tag: '!reset', resolve: () => null},
	{tag: '!override', collection: 'seq', resolve: (value: unknown) => value},
	{tag: '!override', collection: 'map', resolve: (value: unknown) => value},
	{tag: '!override', resolve: (value: string) => value},
];

const configError = (message: string, hint?: string) => new PortError(message, ExitCode.config, hint);

// ---------------------------------------------------------------------------------------------
// Variables: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err}, ${VAR:+alt},
// ${VAR+alt}, $VAR and $$ (a literal $), as Compose interpolates them. The shell environment
// wins over the project's `.env` file.

export type Env = Record<string, string | undefined>;

/** Parses a Compose `.env` file: KEY=VALUE lines, `export ` prefix, quotes, `#` comments. */
export function parseDotEnv(text: string): Record<string, string> {
	const result: Record<string, string> = {};
	for (const rawLine of text.split(/\r?\n/)) {
		const line = rawLine.trim();
		if (line === '' || line.startsWith('#')) continue;
		const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
		if (!match) continue;
		let value = match[2]!;
		const quote = value[0];
		if ((quote === '"' || quote === "'") && value.indexOf(quote, 1) > 0) {
			value = value.slice(1, value.indexOf(quote, 1));
			if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"');
		} else {
			value = value.replace(/\s+#.*$/, '').trim();
		}
		result[match[1]!] = value;
	}
	return result;
}

/** The environment Compose would interpolate with: `.env` next to the compose file, then the shell's. */
export function interpolationEnv(composeFile: string, shell: Env = process.env): Env {
	let dotEnv: Record<string, string> = {};
	try {
		dotEnv = parseDotEnv(readFileSync(path.join(path.dirname(composeFile), '.env'), 'utf8'));
	} catch {
		dotEnv = {};
	}
	return {...dotEnv, ...shell};
}

/** Thrown for `${VAR:?message}`, and for unset variables without a default (they would give a blank port). */
export class InterpolationError extends Error {}

export function interpolate(input: string, env: Env): string {
	let out = '';
	let i = 0;
	while (i < input.length) {
		const ch = input[i]!;
		if (ch !== '$') {
			out += ch;
			i++;
			continue;
		}
		const next = input[i + 1];
		if (next === '$') {
			out += '$';
			i += 2;
			continue;
		}
		if (next === '{') {
			const end = closingBrace(input, i + 2);
			if (end === -1) throw new InterpolationError(`unclosed "\${" in "${input}"`);
			out += expand(input.slice(i + 2, end), env);
			i = end + 1;
			continue;
		}
		const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(input.slice(i + 1))?.[0];
		if (name) {
			out += lookup(name, env);
			i += 1 + name.length;
			continue;
		}
		out += ch;
		i++;
	}
	return out;
}

function closingBrace(text: string, from: number): number {
	let depth = 1;
	for (let i = from; i < text.length; i++) {
		if (text[i] === '{') depth++;
		else if (text[i] === '}' && --depth === 0) return i;
	}
	return -1;
}

function lookup(name: string, env: Env): string {
	const value = env[name];
	if (value === undefined) throw new InterpolationError(`variable ${name} is not set (in the environment or .env) and has no default`);
	return value;
}

function expand(body: string, env: Env): string {
	const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(body);
	if (!match) throw new InterpolationError(`invalid variable "\${${body}}"`);
	const [, name, op, arg = ''] = match as unknown as [string, string, string | undefined, string | undefined];
	const value = env[name];
	const unsetOrEmpty = value === undefined || value === '';
	switch (op) {
		case undefined:
			return lookup(name, env);
		case ':-':
			return unsetOrEmpty ? interpolate(arg, env) : value!;
		case '-':
			return value === undefined ? interpolate(arg, env) : value;
		case ':?':
		case '?':
			if (op === ':?' ? unsetOrEmpty : value === undefined) {
				throw new InterpolationError(`variable ${name} is required: ${interpolate(arg, env) || 'not set'}`);
			}
			return value!;
		case ':+':
			return unsetOrEmpty ? '' : interpolate(arg, env);
		case '+':
			return value === undefined ? '' : interpolate(arg, env);
		default:
			throw new InterpolationError(`invalid variable "\${${body}}"`);
	}
}

// ---------------------------------------------------------------------------------------------
// Ports: "3000", "3000:8080", "127.0.0.1:3000:8080", "[::1]:3000:8080", "3000-3002:8000-8002",
// "3000/udp", numbers, and the long syntax {target, published, host_ip, protocol}.

type Range = {from: number; to: number};

function parseRange(text: string, where: string): Range {
	const match = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
	if (!match) throw configError(`${where}: invalid port "${text}"`);
	const from = Number(match[1]);
	const to = match[2] === undefined ? from : Number(match[2]);
	for (const port of [from, to]) {
		if (port < 1 || port > 65_535) throw configError(`${where}: port ${port} is out of range (1-65535)`);
	}
	if (to < from) throw configError(`${where}: port range "${text}" is reversed`);
	return {from, to};
}

/** Expands host and container ranges into (published, target) pairs, as Compose binds them. */
function pairs(published: Range | undefined, target: Range, where: string, notes: string[]): Array<[number, number]> {
	const count = target.to - target.from + 1;
	if (!published) return Array.from({length: count}, (_, k) => [target.from + k, target.from + k]);
	const hostCount = published.to - published.from + 1;
	if (hostCount === count) return Array.from({length: count}, (_, k) => [published.from + k, target.from + k]);
	if (count === 1) {
		notes.push(`${where}: host range ${published.from}-${published.to} for one container port; routed as ${published.from}`);
		return [[published.from, target.from]];
	}
	throw configError(`${where}: host range ${published.from}-${published.to} and container range ${target.from}-${target.to} differ in size`);
}

export function parsePortEntry(entry: unknown, where: string, env: Env, notes: string[]): PortMapping[] {
	const text = (value: unknown, field: string): string => {
		if (typeof value === 'number') return String(value);
		if (typeof value !== 'string') throw configError(`${where}: ${field} must be a number or a string, got ${JSON.stringify(value)}`);
		try {
			return interpolate(value, env);
		} catch (error) {
			throw configError(`${where}: "${value}": ${(error as Error).message}`, 'Set it in the environment or in .env next to the compose file, or use ${VAR:-default}.');
		}
	};
	let published: Range | undefined;
	let target: Range;
	let protocol = 'tcp';
	if (typeof entry === 'number' || typeof entry === 'string') {
		let spec = text(entry, 'a port');
		const slash = spec.lastIndexOf('/');
		if (slash !== -1) {
			protocol = spec.slice(slash + 1).toLowerCase();
			spec = spec.slice(0, slash);
		}
		let hostPart: string | undefined;
		let containerPart: string;
		if (spec.startsWith('[')) {
			// [IPv6]:host:container
			const close = spec.indexOf(']');
			const rest = close === -1 ? '' : spec.slice(close + 1);
			const parts = rest.split(':');
			if (close === -1 || parts.length !== 3 || parts[0] !== '') throw configError(`${where}: invalid port "${spec}"`);
			hostPart = parts[1];
			containerPart = parts[2]!;
		} else {
			const parts = spec.split(':');
			containerPart = parts.at(-1)!;
			hostPart = parts.length >= 2 ? parts.at(-2) : undefined;
		}
		target = parseRange(containerPart, where);
		published = hostPart === undefined || hostPart === '' ? undefined : parseRange(hostPart, where);
	} else if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) {
		const long = entry as Record<string, unknown>;
		if (long['target'] === undefined) throw configError(`${where}: long syntax needs "target"`);
		target = parseRange(text(long['target'], 'target'), where);
		if (target.from !== target.to) throw configError(`${where}: "target" must be a single port`);
		const pub = long['published'];
		published = pub === undefined || pub === null || pub === '' ? undefined : parseRange(text(pub, 'published'), where);
		if (long['protocol'] !== undefined) protocol = text(long['protocol'], 'protocol').toLowerCase();
	} else {
		throw configError(`${where}: expected a port string, number or mapping, got ${JSON.stringify(entry)}`);
	}
	if (protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'sctp') throw configError(`${where}: unknown protocol "${protocol}"`);
	return pairs(published, target, where, notes).map(([p, t]) => ({published: p, target: t, protocol}));
}

// ---------------------------------------------------------------------------------------------

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
	if (services === undefined || services === null) throw configError(`${file}: no "services" section; nothing to run.`);
	if (typeof services !== 'object' || Array.isArray(services)) throw configError(`${file}: "services" must be a mapping of service names.`);

	const notes: string[] = [];
	const result: ServiceInfo[] = [];
	for (const [name, raw] of Object.entries(services as Record<string, unknown>)) {
		if (raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) throw configError(`${file}: services.${name} must be a mapping.`);
		const service = (raw ?? {}) as Record<string, unknown>;
		const ports: PortMapping[] = [];
		const rawPorts = service['ports'];
		if (rawPorts !== undefined && rawPorts !== null && !Array.isArray(rawPorts)) throw configError(`${file}: services.${name}.ports must be a list.`);
		for (const [index, entry] of (rawPorts ?? []).entries()) {
			ports.push(...parsePortEntry(entry, `${file}: services.${name}.ports[${index}]`, env, notes));
		}
		const info: ServiceInfo = {name, hasPorts: Array.isArray(rawPorts) && rawPorts.length > 0, hasNetworks: service['networks'] !== undefined && service['networks'] !== null, ports};
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

// ---------------------------------------------------------------------------------------------

export interface OverrideContext {
	repoRoot: string;
	worktree: string;
	domain: string;
	/** Per published port: "http" (routed by Traefik) or "tcp" (a loopback host port). */
	protocols?: Record<string, Protocol>;
	/** Host ports chosen for tcp ports, by published port (0 until chosen). */
	tcpHostPorts?: Record<string, number>;
	/** Publish tcp ports on every interface, not loopback only. */
	lan?: boolean;
}

/** A Traefik-safe name part: `[a-z0-9-]`, with a hash when the original had to change. */
function slug(raw: string): string {
	const cleaned = raw.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
	return cleaned === raw ? raw : `${cleaned || 'x'}-${shortHash(raw, 4)}`;
}

export const routerName = (ctx: Pick<OverrideContext, 'repoRoot' | 'worktree'>, service: string, port: number) =>
	`${ctx.worktree}-${slug(service)}-${port}-${shortHash(ctx.repoRoot)}`;

/**
 * A fixed container_name, made unique per repository + worktree: `db` -> `db-feature-a-1a2b3c`
 * (worktree, then a 6-hex hash of the repository path, as in the Compose project name), so two
 * repositories with `container_name: db` and a `feature-a` worktree never collide. Still a valid
 * container name: the worktree part is `[a-z0-9-]`, the hash hex.
 */
export const containerNameFor = (name: string, ctx: Pick<OverrideContext, 'repoRoot' | 'worktree'>) =>
	`${name}-${ctx.worktree}-${shortHash(ctx.repoRoot, 6)}`;

export interface OverridePlan {
	routes: Route[];
	/** Non-HTTP ports: published on a per-worktree host port, not routed. */
	tcp: TcpPort[];
	/** Published udp/sctp ports and services with network_mode: not routed, explained. */
	notes: string[];
	/** The YAML text of `.port/override.yml`. */
	text: string;
	/** The same content as data (tags resolved: `!reset []` is `[]`), for tests and validation. */
	data: Record<string, unknown>;
}

/**
 * Builds the override: host port bindings removed with `ports: !reset []` (Compose 2.18+),
 * each routed service joined to the external traefik-network with one HTTP router per
 * published port, and fixed container names suffixed with the worktree and a repository hash.
 */
export function planOverride(compose: ComposeFile, ctx: OverrideContext): OverridePlan {
	const notes = [...compose.notes];
	const routes: Route[] = [];
	const tcp: TcpPort[] = [];
	const seen = new Map<number, string>();
	const hostname = hostnameFor(ctx.worktree, ctx.domain);
	const doc = new Document({services: {}});
	const services = doc.get('services') as YAMLMap;
	let joinsNetwork = false;

	for (const service of compose.services) {
		const node = new YAMLMap();
		if (service.containerName !== undefined) node.set('container_name', containerNameFor(service.containerName, ctx));
		if (service.networkMode !== undefined && service.hasPorts) {
			notes.push(`service ${service.name} uses network_mode "${service.networkMode}": its ports are left as they are and not routed`);
		} else if (service.hasPorts) {
			const reset = new YAMLSeq();
			reset.tag = '!reset';
			reset.flow = true;
			node.set('ports', reset);
			const labels: Record<string, string> = {};
			const bindings: string[] = [];
			for (const port of service.ports) {
				if (port.protocol !== 'tcp') {
					notes.push(`service ${service.name}: ${port.published}:${port.target}/${port.protocol} is not published (Traefik routes HTTP over tcp only)`);
					continue;
				}
				const owner = seen.get(port.published);
				if (owner !== undefined) {
					notes.push(`service ${service.name}: port ${port.published} is already routed to service ${owner}; skipped`);
					continue;
				}
				seen.set(port.published, service.name);
				if (protocolOf(port.published, port.target, service.image, ctx.protocols) === 'tcp') {
					const hostPort = ctx.tcpHostPorts?.[String(port.published)] ?? 0;
					tcp.push({service: service.name, published: port.published, target: port.target, hostPort});
					bindings.push(`${ctx.lan ? '' : '127.0.0.1:'}${hostPort}:${port.target}`);
					continue;
				}
				const router = routerName(ctx, service.name, port.published);
				routes.push({service: service.name, published: port.published, target: port.target, router});
				labels[`traefik.http.routers.${router}.rule`] = `Host(\`${hostname}\`)`;
				labels[`traefik.http.routers.${router}.entrypoints`] = entrypointName(port.published);
				labels[`traefik.http.routers.${router}.service`] = router;
				labels[`traefik.http.services.${router}.loadbalancer.server.port`] = String(port.target);
			}
			if (bindings.length > 0) {
				// `!override` (Compose 2.24.4+) replaces the base file's list; `!reset` cannot add entries.
				const override = new YAMLSeq();
				override.tag = '!override';
				override.flow = true;
				for (const binding of bindings) override.add(binding);
				node.set('ports', override);
			}
			if (Object.keys(labels).length > 0) {
				joinsNetwork = true;
				// Lists of networks are merged by name; a service without `networks` is on `default`.
				node.set('networks', service.hasNetworks ? {[traefikNetwork]: {}} : {default: {}, [traefikNetwork]: {}});
				node.set('labels', {'traefik.enable': 'true', [managedLabel]: 'true', 'traefik.docker.network': traefikNetwork, ...labels});
			}
		}
		if (node.items.length > 0) services.set(service.name, node);
	}
	if (joinsNetwork) doc.set('networks', {[traefikNetwork]: {external: true, name: traefikNetwork}});
	const header = `# Generated by port for worktree "${ctx.worktree}" (${hostname}). Do not edit: 'port up' rewrites it.\n`;
	const text = header + doc.toString({lineWidth: 0});
	const data = parseOverride(text);
	if (!isMap(doc.contents)) throw new Error('override is not a mapping');
	return {routes, tcp, notes, text, data};
}

/** Parses an override file with the Compose tags resolved (`!reset []` -> `[]`). */
export function parseOverride(text: string): Record<string, unknown> {
	return parseDocument(text, {customTags: composeTags}).toJS() as Record<string, unknown>;
}
