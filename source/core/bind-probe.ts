/**
 * Probing a host port by binding it once (listen, then close at once). Two readings: for picking
 * a port, any failure means "not usable"; for telling the user another program holds it, only
 * EADDRINUSE counts (EACCES on a low port, or no IPv6, is not ours to judge).
 */

/** undefined when `port` bound on `host` (and was closed again), else the error code. */
async function bindError(port: number, host: string): Promise<string | undefined> {
	const net = await import('node:net');
	return new Promise(resolve => {
		const server = net.createServer();
		server.unref();
		server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
		server.listen({port, host, exclusive: true}, () => server.close(() => resolve(undefined)));
	});
}

/** `port` binds on `host` right now. */
export const canBind = async (port: number, host: string) => (await bindError(port, host)) === undefined;

/** Another program holds `port` on `host` (EADDRINUSE); any other failure counts as free. */
export const heldElsewhere = async (port: number, host: string) => (await bindError(port, host)) === 'EADDRINUSE';
