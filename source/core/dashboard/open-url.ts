import type {StoreContext} from './context.js';
import {rowUrl} from './selectors.js';

/** Opens the URL of a host or compose row (the selected one by default) in a browser. */
export const createOpenUrl =
	({deps: {openUrl: open}, rowByKey, say}: StoreContext) =>
	async (key?: string): Promise<void> => {
		const row = rowByKey(key);
		const url = rowUrl(row);
		if (!url) return say('warn', 'Select a service with a URL to open.', 'selection');
		const direct = row?.kind === 'host' ? `  (direct: http://localhost:${row.host.actualPort})` : '';
		try {
			await open(url);
			say('info', `Opened ${url}${direct}`);
		} catch (error) {
			say('warn', `Could not open a browser (${error instanceof Error ? error.message : String(error)}): ${url}${direct}`);
		}
	};
