import {execa} from 'execa';
import {defaultOpenUrl} from '../dashboard/open-url.js';
import {ExitCode, PortError} from '../errors.js';

/** Opens `url` for `port open`: with $BROWSER when set (waited for, as a terminal browser needs), else the platform opener. */
export async function openInBrowser(url: string): Promise<void> {
	const browser = process.env['BROWSER'];
	if (browser) {
		const result = await execa(browser, [url], {stdio: 'inherit', reject: false});
		if (result.failed && result.exitCode === undefined) throw new PortError(`Could not run BROWSER (${browser}): ${result.shortMessage}`, ExitCode.failure);
		if (result.exitCode !== 0) throw new PortError(`${browser} ${url} failed (exit ${result.exitCode}).`, ExitCode.failure);
		return;
	}
	try {
		await defaultOpenUrl(url);
	} catch (error) {
		throw new PortError(`Could not open a browser (${(error as Error).message}): ${url}`, ExitCode.failure);
	}
}
