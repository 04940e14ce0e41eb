import http from 'node:http';

/** GET http://127.0.0.1:<port><path> and return the body (rejects on connection errors). */
export function httpGet(port: number, urlPath = '/', host?: string): Promise<{status: number; body: string}> {
	return new Promise((resolve, reject) => {
		const req = http.get({host: '127.0.0.1', port, path: urlPath, headers: host ? {host} : {}, timeout: 3000}, res => {
			let body = '';
			res.on('data', d => (body += d));
			res.on('end', () => resolve({status: res.statusCode ?? 0, body}));
		});
		req.on('error', reject);
		req.on('timeout', () => req.destroy(new Error('timeout')));
	});
}
