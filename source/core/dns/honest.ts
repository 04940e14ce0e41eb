import type {TraefikState} from '../traefik/container.js';
import {resolvesToLoopback} from './resolve.js';

/**
 * Why a routed URL `http://<hostname>:<port>` would not work right now, or undefined when it
 * should: Traefik not running (routing off), or the name not resolving to 127.0.0.1.
 * Commands print the reason once, next to the direct URLs (readme: "Honest URLs").
 */
export async function routedUrlProblem(hostname: string, traefik: TraefikState | Promise<TraefikState> | undefined): Promise<string | undefined> {
	const [resolves, state] = await Promise.all([resolvesToLoopback(hostname, 1000), traefik]);
	if (state?.state === 'stopped') return 'routing is off (Traefik is not running)';
	if (state?.state === 'unavailable') return `routing is off (${state.reason.replace(/\.$/, '')})`;
	if (!resolves) return `${hostname} does not resolve to 127.0.0.1 (run 'port install', or see 'port doctor')`;
	return undefined;
}
