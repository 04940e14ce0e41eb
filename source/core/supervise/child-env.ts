import {hostBindAddress} from '../traefik/routes.js';
/**
 * The environment a host service's command gets (on top of port's own environment):
 *   PORT      the actual port to listen on
 *   HOST      the address Traefik reaches: 127.0.0.1 with host networking (Linux) and on
 *             Docker Desktop, 0.0.0.0 only for a bridge network on Linux (traefik/routes.ts)
 *   PORT_URL  this service's routed URL (http://<worktree>.<domain>:<logical port>)
 *   PORT_URL_<NAME>  the routed URL of each declared service of the same worktree (WEB, API, ...)
 *   __VITE_ADDITIONAL_SERVER_ALLOWED_HOSTS=.<domain>  Vite (5.4.12+/6.0.9+) accepts routed hostnames
 * The user's own `env` (declared services) wins over all of these except PORT.
 */
export interface ChildEnvInput {
	actualPort: number;
	hostname: string;
	logicalPort: number;
	domain: string;
	/** Declared services of the project: name -> logical port. */
	declared?: Record<string, number>;
	/** The declared service's own env. */
	env?: Record<string, string>;
}

/** `web-app` -> `WEB_APP`: a name as an environment variable suffix. */
export const envSuffix = (name: string) => name.toUpperCase().replace(/[^A-Z0-9]/g, '_');

export function childEnv(input: ChildEnvInput): Record<string, string> {
	const hostOf = (port: number) => `http://${input.hostname}:${port}`;
	const env: Record<string, string> = {
		HOST: hostBindAddress(),
		PORT_URL: hostOf(input.logicalPort),
		__VITE_ADDITIONAL_SERVER_ALLOWED_HOSTS: `.${input.domain}`,
	};
	for (const [name, port] of Object.entries(input.declared ?? {})) env[`PORT_URL_${envSuffix(name)}`] = hostOf(port);
	return {...env, ...input.env, PORT: String(input.actualPort)};
}
