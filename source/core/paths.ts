import path from 'node:path';
import {lazyRequire} from './lazy.js';

/** Global state lives in $PORT_HOME (default ~/.port). Tests always set PORT_HOME. (node:os is loaded only for the default: start-up.) */
export function portHome(): string {
	const fromEnv = process.env['PORT_HOME'];
	return path.resolve(fromEnv && fromEnv.trim() !== '' ? fromEnv : path.join((lazyRequire('node:os') as typeof import('node:os')).homedir(), '.port'));
}

export const registryFile = () => path.join(portHome(), 'registry.json');
export const registryLockFile = () => path.join(portHome(), 'registry.lock');
export const traefikDir = () => path.join(portHome(), 'traefik');
export const traefikStaticFile = () => path.join(traefikDir(), 'traefik.yml');
export const traefikComposeFile = () => path.join(traefikDir(), 'docker-compose.yml');
export const dynamicDir = () => path.join(traefikDir(), 'dynamic');
export const logsDir = () => path.join(portHome(), 'logs');

/** Inside the project: `.port/` holds config, worktrees and the generated override. */
export const projectDir = (repoRoot: string) => path.join(repoRoot, '.port');
export const projectConfigFile = (repoRoot: string) => path.join(repoRoot, '.port', 'config.jsonc');
export const treesDir = (repoRoot: string) => path.join(repoRoot, '.port', 'trees');
