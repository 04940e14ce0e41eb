import {groupListeners} from './listeners.js';

/**
 * Whether a host service listens where it was told to (stored in its registry entry):
 * `starting` until its process group listens on the actual port, then `ready`; `not-listening`
 * when the grace period is over and the group listens on other ports only.
 */
export type Readiness =
	| {state: 'starting'}
	| {state: 'ready'; ms: number}
	| {state: 'not-listening'; listens: number[]; ipv6Only?: true};

export const defaultReadyGraceMs = 10_000;

export interface ReadinessWatch {
	pgid: number;
	port: number;
	graceMs: number;
	/** Each change of state, and once `graceMs` passed with no listener at all (`silent`). */
	onChange(readiness: Readiness, silent?: boolean): void;
	/** For tests and the bench: the probe. */
	probe?: (pgid: number, options: {maxAgeMs: number}) => Promise<number[]>;
	accepts?: (port: number, host: '127.0.0.1' | '::1') => Promise<boolean>;
}

/**
 * Does anything accept a TCP connection on host:port? Closed at once. 127.0.0.1 by default:
 * the address Traefik dials (traefik/routes.ts hostGateway); a server on ::1 only is not reachable.
 */
export async function acceptsOnLocalhost(port: number, host: '127.0.0.1' | '::1' = '127.0.0.1'): Promise<boolean> {
	// Loaded on first probe: `port list` imports this module for readinessText only.
	const {connect} = await import('node:net');
	return new Promise<boolean>(resolve => {
		const socket = connect({host, port});
		const done = (ok: boolean) => {
			socket.destroy();
			resolve(ok);
		};
		socket.once('connect', () => done(true));
		socket.once('error', () => done(false));
		socket.setTimeout(500, () => done(false));
	});
}

/**
 * Polls fast at first (a Node server is up in ~100 ms), then slower; stops once ready. A poll
 * is a TCP connect to the port (cheap); the socket scan of the group (/proc/net/tcp costs ~10 ms
 * with a thousand sockets on the machine, see bench/ready-probe.mjs) runs only to confirm that
 * what answers is ours, and after the grace period to find where it listens instead.
 */
export function watchReadiness(watch: ReadinessWatch): {stop(): void} {
	const probe = watch.probe ?? groupListeners;
	const accepts = watch.accepts ?? acceptsOnLocalhost;
	const started = Date.now();
	let stopped = false;
	let timer: NodeJS.Timeout | undefined;
	let last = 'starting';
	let toldSilent = false;
	const tick = async () => {
		if (stopped) return;
		const answering = await accepts(watch.port, '127.0.0.1').catch(() => false);
		const elapsed = Date.now() - started;
		const late = elapsed >= watch.graceMs;
		// Only once late (one more connect per poll): a server bound to ::1 alone (`localhost`).
		const ipv6Only = !answering && late && (await accepts(watch.port, '::1').catch(() => false));
		// Confirming an answer reads /proc afresh; the slow polls after the grace period may share a scan up to 1 s old.
		const listens: number[] = answering || late ? await probe(watch.pgid, {maxAgeMs: answering ? 0 : 1000}).catch(() => []) : [];
		if (stopped) return;
		// An empty scan with an answer: the sockets cannot be seen (another user's process); trust the answer.
		if (answering && (listens.length === 0 || listens.includes(watch.port))) {
			watch.onChange({state: 'ready', ms: elapsed});
			return;
		}
		if (late) {
			if (ipv6Only && (listens.length === 0 || listens.includes(watch.port))) {
				if (last !== 'ipv6') watch.onChange({state: 'not-listening', listens: [watch.port], ipv6Only: true});
				last = 'ipv6';
			} else if (listens.length > 0) {
				const key = `not-listening ${listens.join(',')}`;
				if (key !== last) watch.onChange({state: 'not-listening', listens});
				last = key;
			} else if (!toldSilent) {
				watch.onChange({state: 'starting'}, true);
			}
			toldSilent = true;
		}
		timer = setTimeout(tick, elapsed < 2000 ? 25 : !late ? 200 : elapsed < 60_000 ? 2000 : 5000);
		timer.unref();
	};
	void tick();
	return {
		stop() {
			stopped = true;
			if (timer) clearTimeout(timer);
		},
	};
}

/** For `port list`, `port status` and the dashboard. */
export function readinessText(readiness: Readiness | undefined, actualPort: number): string | undefined {
	if (!readiness) return undefined;
	if (readiness.state === 'not-listening' && readiness.ipv6Only) return `not reachable on ${actualPort} (listens on ::1 only)`;
	if (readiness.state === 'not-listening') return `not listening on ${actualPort} (listens on ${readiness.listens.join(', ')})`;
	return readiness.state;
}

/** The line `port run` prints for a change (`undefined`: nothing to say). */
export function readinessMessage(label: string, what: string, actualPort: number, graceMs: number, readiness: Readiness, silent = false): string | undefined {
	if (readiness.state === 'ready') return `${label} ready in ${readiness.ms} ms`;
	if (readiness.state === 'not-listening' && readiness.ipv6Only) return `${what} listens on ::1 only; bind 127.0.0.1 (HOST is set), which Traefik dials`;
	if (readiness.state === 'not-listening') {
		return `${what} listens on ${readiness.listens.join(', ')}, not on PORT=${actualPort}; pass --port $PORT or use {PORT}`;
	}
	if (silent) return `${label} does not listen on PORT=${actualPort} after ${Math.round(graceMs / 100) / 10} s; still waiting`;
	return undefined;
}
