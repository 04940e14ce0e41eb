import {execa} from 'execa';
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

const platformOpener = () => (process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open');

/**
 * Starts `file args` detached, without waiting for a browser to close: what failed within 1.5 s
 * (not installed, a quick non-zero exit) is a reason; anything still running then counts as opened.
 */
async function startDetached(file: string, args: string[]): Promise<string | undefined> {
	const child = execa(file, args, {detached: true, stdio: 'ignore', reject: false, cleanup: false});
	child.unref();
	const result = await Promise.race([child, new Promise<undefined>(resolve => setTimeout(() => resolve(undefined), 1500).unref())]);
	if (!result?.failed) return undefined;
	return result.code === 'ENOENT' ? `${file} not found` : result.exitCode !== undefined ? `${file} exited ${result.exitCode}` : `${file} failed`;
}

/** Runs a terminal browser attached and waits for it, as `port open` does with $BROWSER. */
async function runAttached(file: string, args: string[]): Promise<string | undefined> {
	const result = await execa(file, args, {stdio: 'inherit', reject: false});
	if (!result.failed) return undefined;
	const why = result.exitCode !== undefined ? `exited ${result.exitCode}` : result.code === 'ENOENT' ? 'not found' : String(result.shortMessage ?? 'failed').split('\n')[0];
	return `${file} ${why}`;
}

/** Tries each command in order until one works; the reasons of those that did not (none: one worked). */
async function firstThatWorks(commands: string[][], run: (file: string, args: string[]) => Promise<string | undefined>): Promise<string[]> {
	const failures: string[] = [];
	for (const [file, ...args] of commands) {
		const failure = await run(file!, args);
		if (!failure) return [];
		failures.push(failure);
	}
	return failures;
}

/**
 * For the dashboard (it owns the terminal): $BROWSER's candidates in order, else the platform
 * opener, each started detached with no terminal (a terminal browser in $BROWSER cannot work there).
 */
export async function openDetached(url: string): Promise<void> {
	const commands = browserCommands(process.env['BROWSER'] ?? '', url);
	const failures = await firstThatWorks(commands.length > 0 ? commands : [[platformOpener(), url]], startDetached);
	if (failures.length > 0) throw new PortError(commands.length > 0 ? `BROWSER: ${failures.join('; ')}` : failures.join('; '));
}

/** Opens `url` for `port open`: with $BROWSER when set (waited for, as a terminal browser needs), else the platform opener. */
export async function openInBrowser(url: string): Promise<void> {
	const browser = process.env['BROWSER'] ?? '';
	const commands = browserCommands(browser, url);
	if (commands.length > 0) {
		// The first candidate that runs and exits 0 wins; a missing or failing one passes to the next.
		const failures = await firstThatWorks(commands, runAttached);
		if (failures.length > 0) throw new PortError(`Could not open ${url} with BROWSER (${failures.join('; ')}).`, ExitCode.failure);
		return;
	}
	const failure = await startDetached(platformOpener(), [url]);
	if (failure) throw new PortError(`Could not open a browser (${failure}): ${url}`, ExitCode.failure);
}
