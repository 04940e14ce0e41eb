import {docker} from '../docker/cli.js';
import {lazyRequire} from '../lazy.js';
import {traefikContainer, traefikImage} from './static-files.js';

// Why a Traefik that `docker compose up` accepted may still not serve: its image was missing, or
// (host networking) it exited because an entrypoint's port was taken.

/** The failure line when Traefik's image is not on this machine (and `compose up` could not pull it). */
export async function missingImage(): Promise<string | undefined> {
	const image = traefikImage();
	const found = await docker(['image', 'inspect', '--format', '{{.Id}}', image]);
	if (found.exitCode === 0 || !/no such image/i.test(found.stderr)) return undefined;
	return `Traefik's image ${image} is not on this machine and could not be pulled; run \`docker pull ${image}\` once online, or set PORT_TRAEFIK_IMAGE to an image you have.`;
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

function accepts(port: number): Promise<boolean> {
	const net = lazyRequire('node:net') as typeof import('node:net');
	return new Promise(resolve => {
		const socket = net.connect({port, host: '127.0.0.1'});
		socket.once('connect', () => (socket.destroy(), resolve(true)));
		socket.once('error', () => resolve(false));
	});
}

/**
 * With host networking Traefik binds its entrypoints itself and exits when one is taken (no
 * Docker error then): wait until every entrypoint accepts on loopback, or report why it stopped.
 * Returns the failure, if any. Bridge mode: Docker's port publishing already failed or succeeded.
 */
export async function waitListening(ports: number[]): Promise<string | undefined> {
	const deadline = Date.now() + 10_000;
	for (let round = 0; Date.now() < deadline; round++) {
		if (round % 5 === 0) {
			const state = await docker(['inspect', '--type', 'container', '--format', '{{.HostConfig.NetworkMode}} {{.State.Running}} {{.State.Restarting}} {{.RestartCount}}', traefikContainer]);
			const [mode, running, restarting, restarts] = state.stdout.trim().split(' ');
			if (state.exitCode !== 0 || mode !== 'host') return undefined;
			if (running !== 'true' || restarting === 'true' || Number(restarts) > 0) {
				const logs = await docker(['logs', '--tail', '20', traefikContainer]);
				const line = `${logs.stdout}\n${logs.stderr}`.split('\n').reverse().find(l => /error/i.test(l));
				const cause = /error=("(?:[^"\\]|\\.)*")/.exec(line ?? '')?.[1];
				return `Traefik exited: ${cause ? (JSON.parse(cause) as string) : (line?.trim() ?? 'see docker logs port-traefik')}.`;
			}
		}
		if ((await Promise.all(ports.map(accepts))).every(Boolean)) return undefined;
		await sleep(50);
	}
	return undefined; // slow, not failed: the routes follow once it listens
}
