import {isAlive, processFacts, type ProcessFacts} from '../supervise/process-info.js';
import type {Registry} from './schema.js';

// Kept apart from ports.ts so that stale cleanup (run by every command) does not load get-port.

/** The claim key of a service: `<repo>\n<worktree>\n<logical port>`. */
export const serviceKey = (repo: string, branch: string, logicalPort: number) => `${repo}\n${branch}\n${logicalPort}`;

/** The repo, worktree and logical port a claim key names. */
export function parseServiceKey(key: string): {repo: string; branch: string; logicalPort: number} {
	const [repo = '', branch = '', port = ''] = key.split('\n');
	return {repo, branch, logicalPort: Number(port)};
}

/** Reservations whose owner still runs (pid + start time); a dead owner's claim is void. */
export const liveReservations = (registry: Registry, facts: ProcessFacts = processFacts(registry.reservations.map(r => r.pid))) =>
	registry.reservations.filter(r => isAlive(r.pid, r.startTime, facts));

/** Drops this process's reservation of `port` (registered, or given up). */
export function releaseReservation(registry: Registry, port: number): void {
	registry.reservations = registry.reservations.filter(r => !(r.port === port && r.pid === process.pid));
}
