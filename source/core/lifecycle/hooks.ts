import {spawn} from 'node:child_process';
import {accessSync, constants, createWriteStream, existsSync, mkdirSync, readdirSync, statSync} from 'node:fs';
import {constants as osConstants} from 'node:os';
import path from 'node:path';
import {hostnameFor, sanitizeName, shortHash} from '../names.js';
import {logsDir, projectDir} from '../paths.js';
import {fsError} from '../errors.js';

/** The hooks port runs: post-create after `port enter` makes a worktree, post-up after `port up`. */
export const hookNames = ['post-create', 'post-up'] as const;
export type HookName = (typeof hookNames)[number];

export const hooksDir = (repoRoot: string) => path.join(projectDir(repoRoot), 'hooks');
export const hookFile = (repoRoot: string, name: string) => path.join(hooksDir(repoRoot), name);

export interface HookTarget {
	repoRoot: string;
	worktreePath: string;
	/** Sanitized worktree name. */
	worktree: string;
	branch: string | undefined;
	domain: string;
}

export type HookState = 'ready' | 'not-executable' | 'missing';

/** Whether the hook exists and can run (a file without the executable bit is inert, like git's hooks). */
export function hookState(repoRoot: string, name: string): HookState {
	const file = hookFile(repoRoot, name);
	try {
		if (!statSync(file).isFile()) return 'missing';
	} catch {
		return 'missing';
	}
	try {
		accessSync(file, constants.X_OK);
		return 'ready';
	} catch {
		return 'not-executable';
	}
}

/** Every file in .port/hooks/ (examples `*.sample` included), with its state. */
export function listHooks(repoRoot: string): Array<{name: string; state: HookState}> {
	const dir = hooksDir(repoRoot);
	const names = existsSync(dir) ? readdirSync(dir).filter(n => !n.startsWith('.')).sort() : [];
	return names.map(name => ({name, state: hookState(repoRoot, name)}));
}

/** `$PORT_HOME/logs/hooks/<repo>-<worktree>-<hash>-<hook>.log`: outlives a worktree a failed post-create removes. */
export const hookLogFile = (target: Pick<HookTarget, 'repoRoot' | 'worktree'>, name: string) =>
	path.join(logsDir(), 'hooks', `${sanitizeName(path.basename(target.repoRoot))}-${target.worktree}-${shortHash(target.repoRoot, 6)}-${sanitizeName(name)}.log`);

export const hookEnv = (t: HookTarget): Record<string, string> => ({
	PORT_ROOT_PATH: t.repoRoot,
	PORT_WORKTREE_PATH: t.worktreePath,
	PORT_BRANCH: t.branch ?? '',
	PORT_WORKTREE: t.worktree,
	PORT_DOMAIN: t.domain,
	PORT_HOSTNAME: hostnameFor(t.worktree, t.domain),
});

export interface HookRun {
	exitCode: number;
	logFile: string;
}

/**
 * Runs one hook in the worktree with the PORT_* environment. Its output is shown as it comes (all
 * on stderr with `toStderr`: enter's stdout is a path for scripts) and kept in its log file (the latest run).
 * Returns undefined when there is no runnable hook; a non-executable file gets a one-line note.
 */
export async function runHook(name: string, target: HookTarget, toStderr: boolean): Promise<HookRun | undefined> {
	const state = hookState(target.repoRoot, name);
	const file = hookFile(target.repoRoot, name);
	if (state === 'missing') return undefined;
	if (state === 'not-executable') {
		process.stderr.write(`port: note: hook ${path.relative(target.repoRoot, file)} is not executable, so it was not run (chmod +x to enable it)\n`);
		return undefined;
	}
	const logFile = hookLogFile(target, name);
	try {
		mkdirSync(path.dirname(logFile), {recursive: true});
	} catch (error) {
		throw fsError('create', path.dirname(logFile), error);
	}
	const log = createWriteStream(logFile);
	log.write(`# ${name} in ${target.worktreePath} at ${new Date().toISOString()}\n`);
	// Its own process group, so a signal reaches what it started too (`npm ci` under the script).
	const child = spawn(file, [], {cwd: target.worktreePath, env: {...process.env, ...hookEnv(target)}, stdio: ['ignore', 'pipe', 'pipe'], detached: true});
	const relay = (out: NodeJS.WritableStream) => (chunk: Buffer) => {
		out.write(chunk);
		log.write(chunk);
	};
	child.stdout.on('data', relay(toStderr ? process.stderr : process.stdout));
	child.stderr.on('data', relay(process.stderr));
	// Ctrl+C / SIGTERM reach the hook (a terminal's Ctrl+C reaches it anyway): port waits for it
	// to end, so the caller still cleans up (a failed post-create removes its worktree).
	const forward = (signal: NodeJS.Signals) => {
		if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
		try {
			process.kill(-child.pid, signal);
		} catch {
			child.kill(signal);
		}
	};
	const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
	for (const signal of signals) process.on(signal, forward);
	const exitCode = await new Promise<number>(resolve => {
		// Not runnable (no #! line, a missing interpreter): a failed run like any other, so a
		// failed post-create still removes its worktree.
		child.once('error', error => {
			const line = `port: could not run hook ${name}: ${error.message} (check the #! line of ${file})\n`;
			process.stderr.write(line);
			log.write(line);
			resolve(126);
		});
		// On exit, not close: a background process the hook left running may hold its output open.
		// Output still buffered is read for a moment, then the pipes are let go.
		child.once('exit', (code, signal) => {
			const done = () => resolve(code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1));
			const timer = setTimeout(() => {
				child.stdout.destroy();
				child.stderr.destroy();
				done();
			}, 300);
			child.once('close', () => {
				clearTimeout(timer);
				done();
			});
		});
	}).finally(() => {
		for (const signal of signals) process.off(signal, forward);
	}).finally(() => new Promise(resolve => log.end(`# exit code ${child.exitCode ?? child.signalCode}\n`, () => resolve(undefined))));
	return {exitCode, logFile};
}

const example = (name: HookName, what: string) => `#!/bin/sh
# port ${name} hook: runs ${what}.
# This is an inert example: to use it, copy it to .port/hooks/${name} and chmod +x it.
# Its output is shown and kept in $PORT_HOME/logs/hooks/. Environment:
#   PORT_ROOT_PATH      the main checkout          PORT_WORKTREE_PATH  this worktree (the cwd)
#   PORT_BRANCH         its branch                 PORT_WORKTREE       its name (DNS label)
#   PORT_DOMAIN         the domain (port)          PORT_HOSTNAME       <worktree>.<domain>
set -e
${name === 'post-create' ? `# A non-zero exit removes the worktree port enter just made.
# cp "$PORT_ROOT_PATH/.env" "$PORT_WORKTREE_PATH/.env"
# npm ci` : `# port open runs this hook too.
# port compose exec db ./migrate
# xdg-open "http://$PORT_HOSTNAME:3000" || open "http://$PORT_HOSTNAME:3000"`}
`;

/** Commented, non-executable examples that `port init` writes (never over the user's own files). */
export const hookExamples: Array<[string, string]> = [
	['post-create.sample', example('post-create', 'after port enter creates a worktree')],
	['post-up.sample', example('post-up', 'after port up succeeds')],
];
