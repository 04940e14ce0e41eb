import getPort from 'get-port';
import type {ProcessFacts} from '../supervise/process-info.js';
import {liveReservations} from './reservations.js';
import type {Registry} from './registry.js';

const rangeStart = 49_152;
const rangeEnd = 65_535;

/**
 * A port free on every local interface right now (get-port checks IPv4 and IPv6), from a
 * random start in 49152-65535 and never one in `exclude`. Not a reservation: callers reserve
 * it under the registry lock (get-port only remembers ports within its own process).
 */
export async function freePortCandidate(exclude: Iterable<number>): Promise<number> {
	const randomPorts = Array.from({length: 16}, () => rangeStart + Math.floor(Math.random() * (rangeEnd - rangeStart + 1)));
	return getPort({port: randomPorts, exclude: [...exclude]});
}

/** Ports handed out already: registered services and live reservations. */
export function takenPorts(registry: Registry, facts?: ProcessFacts): Set<number> {
	return new Set([...registry.hostServices.map(s => s.actualPort), ...liveReservations(registry, facts).map(r => r.port)]);
}
