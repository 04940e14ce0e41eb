import {execa} from 'execa';
import {PortError} from '../errors.js';
import type {StoreContext} from './context.js';

export const defaultOpenUrl = async (url: string) => {
	const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
	const child = execa(opener, [url], {detached: true, stdio: 'ignore', reject: false, cleanup: false});
	child.unref();
	const result = await Promise.race([child, new Promise<undefined>(resolve => setTimeout(() => resolve(undefined), 1500).unref())]);
	if (result && result.failed && result.code === 'ENOENT') throw new PortError(`${opener} is not installed`);
};

/** Opens the URL of a host or compose row (the selected one by default) in a browser. */
export const createOpenUrl =
	({deps: {openUrl: open}, rowByKey, say}: StoreContext) =>
	async (key?: string): Promise<void> => {
		const row = rowByKey(key);
		const url = row?.kind === 'host' ? row.host.url : row?.kind === 'compose' ? row.compose.url : undefined;
		if (!url) return say('warn', 'Select a service with a URL to open.', 'selection');
		const direct = row?.kind === 'host' ? `  (direct: http://localhost:${row.host.actualPort})` : '';
		try {
			await open(url);
			say('info', `Opened ${url}${direct}`);
		} catch (error) {
			say('warn', `Could not open a browser (${error instanceof Error ? error.message : String(error)}): ${url}${direct}`);
		}
	};
