import {isAlive} from './process-info.js';
import type {Registry} from './registry-schema.js';

// Kept apart from ports.ts so that stale cleanup (run by every command) does not load get-port.

/** Reservations whose owner still runs (pid + start time); a dead owner's claim is void. */
export const liveReservations = (registry: Registry) => registry.reservations.filter(r => isAlive(r.pid, r.startTime));

/** Drops this process's reservation of `port` (registered, or given up). */
export function releaseReservation(registry: Registry, port: number): void {
	registry.reservations = registry.reservations.filter(r => !(r.port === port && r.pid === process.pid));
}
