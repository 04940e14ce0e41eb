import {existsSync, mkdirSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {writeFileAtomic} from '../atomic-write.js';
import {configTemplate, loadConfig} from './config.js';
import {ExitCode, PortError, fsError} from '../errors.js';
import {projectConfigFile, treesDir} from '../paths.js';

/** What git must ignore: the worktrees and each checkout's generated override. */
export const ignoredPaths = ['/.port/trees/', '.port/override.yml'];

/**
 * Idempotent set-up. Ignores go to `.git/info/exclude`, which every worktree shares at once:
 * a `.gitignore` edit would dirty the checkout and reach other branches only once committed.
 * Returns one line per thing done (or found done).
 */
export function initProject(repoRoot: string): string[] {
	const lines: string[] = [];
	const configFile = projectConfigFile(repoRoot);
	const exclude = excludeFile(repoRoot); // checked before anything is written
	try {
		mkdirSync(treesDir(repoRoot), {recursive: true});
		if (existsSync(configFile)) {
			loadConfig(repoRoot);
			lines.push(`kept     ${path.relative(repoRoot, configFile)}`);
		} else {
			// Atomic: a full disk must not leave a truncated config that every later command rejects.
			writeFileAtomic(configFile, configTemplate);
			lines.push(`created  ${path.relative(repoRoot, configFile)}`);
		}
		lines.push(`ready    .port/trees/`);
	} catch (error) {
		if (error instanceof PortError) throw error;
		throw fsError('set up', path.dirname(configFile), error);
	}
	const current = existsSync(exclude) ? readFileSync(exclude, 'utf8') : '';
	const missing = ignoredPaths.filter(p => !current.split('\n').includes(p));
	if (missing.length > 0) {
		mkdirSync(path.dirname(exclude), {recursive: true});
		const prefix = current === '' || current.endsWith('\n') ? '' : '\n';
		// Rewritten whole (atomically), not appended: a short append would leave half a pattern.
		writeFileAtomic(exclude, `${current}${prefix}# port\n${missing.join('\n')}\n`);
	}
	lines.push(`ignored  ${ignoredPaths.join(', ')} (in .git/info/exclude)`);
	return lines;
}

function excludeFile(repoRoot: string): string {
	const dotGit = path.join(repoRoot, '.git');
	if (!statSync(dotGit).isDirectory()) {
		// locateCheckout refuses these layouts first; kept so initProject never writes outside a main checkout.
		throw new PortError(`${dotGit} is not a directory: port needs a main checkout whose .git is a directory.`, ExitCode.config);
	}
	return path.join(dotGit, 'info', 'exclude');
}
