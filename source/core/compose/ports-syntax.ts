import {configError} from '../errors.js';
import {interpolate, type Env} from './interpolate.js';

/**
 * A service's `ports` entries as Compose reads them: "3000", "3000:8080", "127.0.0.1:3000:8080",
 * "[::1]:3000:8080", "3000-3002:8000-8002", "3000/udp", numbers, and the long syntax
 * {target, published, host_ip, protocol}.
 */

export interface PortMapping {
	published: number;
	target: number;
	protocol: string;
}

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
