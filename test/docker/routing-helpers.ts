import {readFileSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {tempDir} from '../helpers/env.js';

/**
 * A dev server like Vite's default: listens ONLY on 127.0.0.1:$PORT, answers `<name> <Host>` and
 * accepts websocket upgrades (HMR), echoing what it receives.
 */
export function writeDevServer(): string {
	const file = path.join(tempDir('port-e2e-server-'), 'server.cjs');
	writeFileSync(
		file,
		`const http = require('http'), crypto = require('crypto');
const name = process.argv[2];
const server = http.createServer((req, res) => res.end(name + ' ' + req.headers.host + '\\n'));
server.on('upgrade', (req, socket) => {
  const accept = crypto.createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  socket.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: ' + accept + '\\r\\n\\r\\n');
  socket.on('data', d => socket.write('echo:' + d));
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
`,
	);
	return file;
}

export interface Reply {
	status?: number;
	body?: string;
	error?: string;
}

/** One GET to `address:port` with a Host header, as `curl --resolve` would send it. */
export function get(port: number, host: string, address = '127.0.0.1'): Promise<Reply> {
	return new Promise(resolve => {
		const req = http.get({host: address, port, path: '/', headers: {Host: `${host}:${port}`}, agent: false, timeout: 3000}, res => {
			let body = '';
			res.on('data', (d: Buffer) => (body += d.toString()));
			res.on('end', () => resolve({status: res.statusCode, body}));
		});
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', (error: NodeJS.ErrnoException) => resolve({error: error.code ?? error.message}));
	});
}

/** A websocket upgrade through `port` with a Host header; resolves with the status line and the echo of one frame-less write. */
export function upgrade(port: number, host: string): Promise<{statusLine: string; echo: string}> {
	return new Promise((resolve, reject) => {
		const socket = net.connect({port, host: '127.0.0.1'});
		let data = '';
		const timer = setTimeout(() => (socket.destroy(), reject(new Error(`no upgrade reply: ${JSON.stringify(data)}`))), 5000);
		socket.on('connect', () =>
			socket.write(`GET /hmr HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`),
		);
		socket.on('data', (d: Buffer) => {
			const first = data === '';
			data += d.toString();
			if (first && data.startsWith('HTTP/1.1 101')) socket.write('ping');
			if (data.includes('echo:ping')) {
				clearTimeout(timer);
				socket.destroy();
				resolve({statusLine: data.split('\r\n')[0]!, echo: data.slice(data.indexOf('echo:'))});
			}
		});
		socket.on('error', error => (clearTimeout(timer), reject(error)));
	});
}

/** Local addresses of LISTEN sockets on `port` (from /proc/net/tcp{,6}), e.g. ['127.0.0.1']. */
export function listenAddresses(port: number): string[] {
	const out: string[] = [];
	for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
		let text = '';
		try {
			text = readFileSync(file, 'utf8');
		} catch {
			continue;
		}
		for (const line of text.trim().split('\n').slice(1)) {
			const [, local, , state] = line.trim().split(/\s+/);
			const [hex, portHex] = local!.split(':');
			if (state !== '0A' || Number.parseInt(portHex!, 16) !== port) continue;
			if (hex!.length === 8) out.push(Buffer.from(hex!, 'hex').reverse().join('.'));
			else out.push(hex === '0'.repeat(32) ? '::' : hex === '00000000000000000000000001000000' ? '::1' : `v6:${hex}`);
		}
	}
	return [...new Set(out)].sort();
}

/** An IPv4 address of this machine other machines could use (not loopback, not a Docker bridge). */
export function lanAddress(): string | undefined {
	for (const [name, addresses] of Object.entries(os.networkInterfaces())) {
		if (/^(docker|br-|veth|lo)/.test(name)) continue;
		const v4 = addresses?.find(a => a.family === 'IPv4' && !a.internal);
		if (v4) return v4.address;
	}
	return undefined;
}

/**
 * Polls `check` every 20 ms until `stop()` is called; returns the longest run of failures in ms
 * (the interruption a user would see while Traefik is recreated).
 */
export function watchInterruption(check: () => Promise<boolean>): {stop: () => Promise<{longestMs: number; failures: number}>} {
	let running = true;
	let longest = 0;
	let failures = 0;
	let downSince: number | undefined;
	const loop = (async () => {
		while (running) {
			const ok = await check();
			const now = Date.now();
			if (ok && downSince !== undefined) {
				longest = Math.max(longest, now - downSince);
				downSince = undefined;
			} else if (!ok) {
				failures++;
				downSince ??= now;
			}
			await new Promise(resolve => setTimeout(resolve, 20));
		}
		if (downSince !== undefined) longest = Math.max(longest, Date.now() - downSince);
	})();
	return {
		stop: async () => {
			running = false;
			await loop;
			return {longestMs: longest, failures};
		},
	};
}
