import {composeVersion, dockerAvailability, throwIfAborted} from '../docker/cli.js';
import {ExitCode, PortError} from '../errors.js';
import type {TcpPort} from './tcp-ports.js';

/** `ports: !reset []` needs Compose 2.18.0 (`!override` would need 2.24.4). */
export const minimumCompose = '2.18.0';
/** `ports: !override [...]`, used for non-HTTP ports. */
export const tcpCompose = '2.24.4';

/** Compares `major.minor[.patch]` prefixes: negative, zero or positive, like a sort comparator. */
export function compareVersions(a: string, b: string): number {
	const parse = (v: string) => (/^(\d+)\.(\d+)(?:\.(\d+))?/.exec(v) ?? []).slice(1, 4).map(n => Number(n ?? 0));
	const [x, y] = [parse(a), parse(b)];
	for (let i = 0; i < 3; i++) {
		const d = (x[i] ?? 0) - (y[i] ?? 0);
		if (d !== 0) return d;
	}
	return 0;
}

/**
 * Checks, before anything is written, that the docker CLI, the engine and a recent enough
 * Compose v2 are all there. Throws one line naming what is missing (exit 5).
 */
export async function requireCompose(signal?: AbortSignal): Promise<string> {
	const [engine, version] = await Promise.all([dockerAvailability(signal), composeVersion(signal)]);
	throwIfAborted(signal);
	if (!/^\d+\.\d+/.test(version)) {
		throw new PortError(`Cannot tell the Docker Compose version from "${version}".`, ExitCode.docker, `port needs Compose v2 ${minimumCompose} or newer.`);
	}
	if (compareVersions(version, minimumCompose) < 0) {
		throw new PortError(
			`Docker Compose ${version} is too old: port needs ${minimumCompose} or newer (for \`ports: !reset []\` in the override).`,
			ExitCode.docker,
			'Update the Docker Compose plugin (docker-compose-plugin) or Docker Desktop.',
		);
	}
	if (!engine.ok) throw new PortError(engine.reason, ExitCode.docker, 'Start Docker (dockerd / Docker Desktop) and try again.');
	return version;
}

/** Non-HTTP ports need `ports: !override`: refuses an older Compose `version` (exit 5). */
export function requireTcpCompose(version: string, tcp: Array<Pick<TcpPort, 'service' | 'published'>>): void {
	if (compareVersions(version, tcpCompose) >= 0) return;
	throw new PortError(
		`Docker Compose ${version} is too old for non-HTTP ports (${tcp.map(t => `${t.service}:${t.published}`).join(', ')}): port needs ${tcpCompose} or newer (for \`ports: !override\`).`,
		ExitCode.docker,
		'Update Docker Compose, or mark these ports "http" in .port/config.jsonc ("ports").',
	);
}
