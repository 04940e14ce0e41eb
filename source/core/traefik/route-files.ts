import {readdirSync, rmSync} from 'node:fs';
import path from 'node:path';
import {writeFileAtomic} from '../atomic-write.js';
import {dynamicDir} from '../paths.js';

// Route file paths and removal, without the YAML writer: stale cleanup runs at the start of
// every command (`port list` included) and must not pay for loading `yaml`. Writing lives in
// routes.ts, which re-exports these.

export const routeFile = (name: string) => path.join(dynamicDir(), `${name}.yml`);

/**
 * Removes a route file, only ever inside our dynamic directory. Then touches a sentinel: some
 * file-sharing layers (Docker Desktop's VirtioFS) do not pass DELETE events to Traefik.
 */
export function removeRoute(file: string): void {
	const dir = dynamicDir();
	if (path.dirname(path.resolve(file)) !== dir || !file.endsWith('.yml')) return;
	rmSync(file, {force: true});
	try {
		writeFileAtomic(path.join(dir, '.port-sentinel.yml'), `# touched ${new Date().toISOString()}\n`);
	} catch {
		// The sentinel only nudges the watcher; the route is gone either way.
	}
}

/** Route files currently on disk (the sentinel excluded). */
export function listRouteFiles(): string[] {
	try {
		return readdirSync(dynamicDir())
			.filter(name => name.endsWith('.yml') && !name.startsWith('.'))
			.map(name => path.join(dynamicDir(), name));
	} catch {
		return [];
	}
}
