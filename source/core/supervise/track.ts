import {updateRegistry, type HostService} from '../registry/registry.js';
import {watchReadiness, type Readiness} from './readiness.js';

/**
 * Watches one spawned child's readiness and records each change in its registry entry (so
 * `port list`, `port status` and every dashboard see it); `onChange` is told too.
 */
export function trackReadiness(entry: HostService, graceMs: number, onChange: (readiness: Readiness, silent: boolean) => void): {stop(): void} {
	const record = (readiness: Readiness) => {
		try {
			updateRegistry(registry => {
				const current = registry.hostServices.find(s => s.id === entry.id && s.pid === entry.pid);
				if (current) current.readiness = readiness;
			});
		} catch {
			// The state is informational: a registry that cannot be written must not stop the service.
		}
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
