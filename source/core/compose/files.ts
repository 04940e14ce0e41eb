import {existsSync} from 'node:fs';
import path from 'node:path';
import {interpolationEnv} from './env-file.js';
import type {Env} from './interpolate.js';

/**
 * The compose files a plain `docker compose` would load in a worktree. `port` must pass them with
 * `-f` (to add its override last), and with `-f` Compose no longer looks for its defaults or
 * `*.override.yml`, so this repeats Compose's own choice (compose-go's WithDefaultConfigPath).
 */

/** The value of `"compose"` when .port/config.jsonc does not set one: "let Compose choose". */
export const defaultComposeSetting = 'docker-compose.yml';
const defaultNames = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
const overrideNames = ['compose.override.yml', 'compose.override.yaml', 'docker-compose.override.yml', 'docker-compose.override.yaml'];

/** The user's own layer, merged after port's override (the existing tool's name). */
export const userOverrideFileFor = (worktreePath: string) => path.join(worktreePath, '.port', 'override-compose.yml');

/**
 * An explicit `"compose"` setting is one file (as `docker compose -f file`); otherwise
 * COMPOSE_FILE (from the shell or the worktree's `.env`, split on COMPOSE_PATH_SEPARATOR or the
 * platform's path separator); otherwise the first of Compose's default names plus the first
 * `*.override.y(a)ml` next to it. Paths are absolute; the first one is the main file.
 */
export function composeFilesFor(worktreePath: string, setting: string, shell: Env = process.env): string[] {
	if (setting !== defaultComposeSetting) return [path.resolve(worktreePath, setting)];
	const env = interpolationEnv(path.join(worktreePath, '.env'), shell);
	const list = env['COMPOSE_FILE'];
	if (list !== undefined && list.trim() !== '') {
		const separator = env['COMPOSE_PATH_SEPARATOR'] || path.delimiter;
		return list.split(separator).filter(f => f.trim() !== '').map(f => path.resolve(worktreePath, f));
	}
	const first = (names: string[]) => names.map(n => path.join(worktreePath, n)).find(f => existsSync(f));
	const main = first(defaultNames) ?? path.join(worktreePath, defaultComposeSetting);
	const override = first(overrideNames);
	return override ? [main, override] : [main];
}
