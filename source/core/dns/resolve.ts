import {readFileSync} from 'node:fs';
import {lazyRequire} from '../lazy.js';
import {hostsFile} from './system.js';

/**
 * How names are checked (PORT_RESOLVER): unset or `system` asks the OS resolver (getaddrinfo,
 * as curl and browsers do); `hosts` reads the hosts file (PORT_HOSTS_FILE) only; `<ip>:<port>`
 * asks that DNS server directly. Resolves to the IPv4 addresses found (empty when none).
 */
export async function resolveName(name: string, timeoutMs = 1500): Promise<string[]> {
	const how = process.env['PORT_RESOLVER']?.trim() || 'system';
	if (how === 'hosts') return fromHostsFile(name);
	const dns = lazyRequire('node:dns') as typeof import('node:dns');
	const attempt = (async () => {
		if (how === 'system') {
			const found = await dns.promises.lookup(name, {all: true, family: 4});
			return found.map(a => a.address);
		}
		const resolver = new dns.promises.Resolver({timeout: timeoutMs, tries: 1});
		resolver.setServers([how]);
		return resolver.resolve4(name);
	})().catch(() => [] as string[]);
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<string[]>(resolve => (timer = setTimeout(() => resolve([]), timeoutMs).unref()));
	try {
		return await Promise.race([attempt, timeout]);
	} finally {
		clearTimeout(timer);
	}
}

/** True when `name` resolves to a loopback address (what port needs). */
export const resolvesToLoopback = async (name: string, timeoutMs?: number) =>
	(await resolveName(name, timeoutMs)).some(address => address.startsWith('127.'));

function fromHostsFile(name: string): string[] {
	let text = '';
	try {
		text = readFileSync(hostsFile(), 'utf8');
	} catch {
		return [];
	}
	const found: string[] = [];
	for (const line of text.split('\n')) {
		const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
		if (address && /^\d+\.\d+\.\d+\.\d+$/.test(address) && names.includes(name)) found.push(address);
	}
	return found;
}

/** A name nobody registered: what a wildcard setup must answer and a stale entry cannot. */
export const randomName = (domain: string) =>
	`port-check-${(lazyRequire('node:crypto') as typeof import('node:crypto')).randomBytes(4).toString('hex')}.${domain}`;
