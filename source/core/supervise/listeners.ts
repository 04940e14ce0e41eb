import {readFileSync, readdirSync, readlinkSync} from 'node:fs';

/**
 * The TCP ports a process group listens on. Linux: members of the group from /proc/<pid>/stat,
 * their socket inodes from /proc/<pid>/fd, and the LISTEN sockets of /proc/net/tcp{,6} (this
 * network namespace). Elsewhere: `lsof -g <pgid>`. Sorted, without duplicates (v4 and v6).
 */
export async function groupListeners(pgid: number, options: {maxAgeMs?: number} = {}): Promise<number[]> {
	if (!Number.isInteger(pgid) || pgid <= 0) return [];
	return hasProc ? procListeners(pgid, options.maxAgeMs ?? 0) : lsofListeners(pgid);
}

const hasProc = (() => {
	try {
		readFileSync('/proc/self/stat');
		return process.platform === 'linux';
	} catch {
		return false;
	}
})();

/** Live (not zombie) pids by process group, from one pass over /proc. */
function processGroups(): Map<number, number[]> {
	const groups = new Map<number, number[]>();
	for (const entry of readdirSync('/proc')) {
		if (entry.charCodeAt(0) > 57) continue;
		try {
			const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
			const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
			if (fields[0] === 'Z') continue;
			const pgid = Number(fields[2]);
			const members = groups.get(pgid);
			if (members) members.push(Number(entry));
			else groups.set(pgid, [Number(entry)]);
		} catch {
			// Gone meanwhile.
		}
	}
	return groups;
}

/** Socket inodes held open by a process (unreadable fds of other users are skipped). */
function socketInodes(pid: number, into: Set<string>): void {
	let fds: string[];
	try {
		fds = readdirSync(`/proc/${pid}/fd`);
	} catch {
		return;
	}
	for (const fd of fds) {
		try {
			const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
			if (target.startsWith('socket:[')) into.add(target.slice(8, -1));
		} catch {
			// Closed meanwhile.
		}
	}
}

/** inode -> port for every LISTEN (state 0A) socket in /proc/net/tcp and tcp6. */
export function listeningSockets(): Map<string, number> {
	const sockets = new Map<string, number>();
	for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
		let text: string;
		try {
			text = readFileSync(file, 'utf8');
		} catch {
			continue;
		}
		for (const line of text.split('\n').slice(1)) {
			// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
			const fields = line.trim().split(/\s+/);
			if (fields[3] !== '0A' || fields[9] === undefined) continue;
			const local = fields[1]!;
			sockets.set(fields[9], Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16));
		}
	}
	return sockets;
}

/**
 * The machine-wide part of a scan (every process's group, every listening socket: ~15 ms with
 * thousands of sockets), shared by the scans of `maxAgeMs`: twenty services that never listen
 * cost one pass every 2 s, not twenty. A confirmation (maxAgeMs 0) always reads afresh.
 */
let shared: {at: number; groups: Map<number, number[]>; sockets?: Map<string, number>} | undefined;

function procListeners(pgid: number, maxAgeMs: number): number[] {
	const now = performance.now();
	if (!shared || maxAgeMs <= 0 || now - shared.at > maxAgeMs) shared = {at: now, groups: processGroups()};
	const inodes = new Set<string>();
	for (const pid of shared.groups.get(pgid) ?? []) socketInodes(pid, inodes);
	if (inodes.size === 0) return [];
	shared.sockets ??= listeningSockets();
	const ports = new Set<number>();
	for (const [inode, port] of shared.sockets) if (inodes.has(inode)) ports.add(port);
	return [...ports].sort((a, b) => a - b);
}

/** `lsof -g` selects by process group; -F n prints `n*:5173` / `n[::1]:5173` lines. */
async function lsofListeners(pgid: number): Promise<number[]> {
	// Loaded here, not at the top: `port list` reaches this module and never runs lsof.
	const {execFile} = await import('node:child_process');
	return new Promise(resolve => {
		execFile('lsof', ['-nP', '-a', '-g', String(pgid), '-iTCP', '-sTCP:LISTEN', '-Fn'], {timeout: 5000}, (_error, stdout) => {
			const ports = new Set<number>();
			for (const line of String(stdout ?? '').split('\n')) {
				if (!line.startsWith('n')) continue;
				const port = Number(line.slice(line.lastIndexOf(':') + 1));
				if (Number.isInteger(port) && port > 0) ports.add(port);
			}
			resolve([...ports].sort((a, b) => a - b));
		});
	});
}
