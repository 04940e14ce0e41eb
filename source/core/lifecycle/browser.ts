import {execa} from 'execa';
import {defaultOpenUrl} from '../dashboard/open-url.js';
import {ExitCode, PortError} from '../errors.js';

/**
 * $BROWSER as xdg-utils and Python's webbrowser read it: ':'-separated candidates, tried in
 * order; each is split on spaces into argv (no shell), `%s` becomes the URL, else the URL is appended.
 */
export function browserCommands(browser: string, url: string): string[][] {
	return browser
		.split(':')
		.map(candidate => candidate.trim().split(/\s+/).filter(Boolean))
		.filter(words => words.length > 0)
		.map(words => (words.some(w => w.includes('%s')) ? words.map(w => w.replaceAll('%s', url)) : [...words, url]));
}

/** Opens `url` for `port open`: with $BROWSER when set (waited for, as a terminal browser needs), else the platform opener. */
export async function openInBrowser(url: string): Promise<void> {
	const browser = process.env['BROWSER'] ?? '';
	const commands = browserCommands(browser, url);
	if (commands.length > 0) {
		// The first candidate that runs and exits 0 wins; a missing or failing one passes to the next.
		const failures: string[] = [];
		for (const [file, ...args] of commands) {
			const result = await execa(file!, args, {stdio: 'inherit', reject: false});
			if (!result.failed) return;
			const why = result.exitCode !== undefined ? `exited ${result.exitCode}` : result.code === 'ENOENT' ? 'not found' : String(result.shortMessage ?? 'failed').split('\n')[0];
			failures.push(`${file} ${why}`);
		}
		throw new PortError(`Could not open ${url} with BROWSER (${failures.join('; ')}).`, ExitCode.failure);
	}
	try {
		await defaultOpenUrl(url);
	} catch (error) {
		throw new PortError(`Could not open a browser (${(error as Error).message}): ${url}`, ExitCode.failure);
	}
}
