import {updateRegistryAsync, type HostService} from '../registry/registry.js';
import {watchReadiness, type Readiness} from './readiness.js';

/**
 * Watches one spawned child's readiness and records each change in its registry entry (so
 * `port list`, `port status` and every dashboard see it); `onChange` is told too.
 */
export function trackReadiness(entry: HostService, graceMs: number, onChange: (readiness: Readiness, silent: boolean) => void): {stop(): void} {
	// One write at a time, in order (a later state must not be overwritten by an earlier one).
	// The lock is waited for without blocking the event loop; uncontended, the write is immediate.
	let last: Promise<void> | undefined;
	const record = (readiness: Readiness) => {
		const write = () =>
			updateRegistryAsync(registry => {
				const current = registry.hostServices.find(s => s.id === entry.id && s.pid === entry.pid);
				if (current) current.readiness = readiness;
			}).then(
				() => {},
				() => {
					// The state is informational: a registry that cannot be written must not stop the service.
				},
			);
		const next = last ? last.then(write) : write();
		last = next;
		void next.then(() => {
			if (last === next) last = undefined;
		});
	};
	return watchReadiness({
		pgid: entry.pid,
		port: entry.actualPort,
		graceMs,
		onChange(readiness, silent = false) {
			if (!silent) record(readiness);
			onChange(readiness, silent);
		},
	});
}
