import {readFileSync} from 'node:fs';
import path from 'node:path';
import {splitCommand} from '../dashboard/command-line.js';
import {binName, frameworkArgs, frameworkOfBin, type Framework} from './frameworks.js';

export interface Injection {
	command: string[];
	/** The flags added (without a `--` separator `npm run` needs). */
	added: string[];
	framework: string;
}

/** package.json scripts of a directory (empty when there is none or it does not parse). */
export type ScriptsOf = (cwd: string) => Record<string, string>;

export const readScripts: ScriptsOf = cwd => {
	try {
		const pkg = JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8')) as {scripts?: unknown};
		const scripts = pkg.scripts;
		if (typeof scripts !== 'object' || scripts === null) return {};
		return Object.fromEntries(Object.entries(scripts).filter((e): e is [string, string] => typeof e[1] === 'string'));
	} catch {
		return {};
	}
};

/** Shell syntax we do not see through: compound commands, env prefixes, expansions, redirections. */
const shellSyntax = /[&|;<>$`()\\*?{}]|^\s*\w+=|\s\w+=\S/;

const packageManagers = new Set(['npm', 'pnpm', 'yarn', 'bun']);

/**
 * Adds `--port <port>` (and the framework's strict-port and host flags) to a command that
 * starts a known dev server, directly (`vite`), through a runner (`npx vite`, `pnpm exec vite`,
 * `yarn vite`, `bunx vite`), or through a package.json script whose command starts with one
 * (`npm run dev` where dev is `vite --open`). Anything else is left alone (undefined): build and
 * test commands, scripts with `&&` or env prefixes, commands that already pass a port.
 */
export function injectPort(command: readonly string[], port: number, cwd: string, scriptsOf: ScriptsOf = readScripts): Injection | undefined {
	const [manager, ...rest] = command;
	// A script of that name wins over a bin (`pnpm dev`, `yarn vite` when "vite" is a script).
	const script = manager !== undefined && packageManagers.has(binName(manager)) ? scriptCall(binName(manager), rest, scriptsOf(cwd)) : undefined;
	if (!script) return throughRunner(command, port);
	const {body, extra} = script;
	if (shellSyntax.test(body)) return undefined;
	let words: string[];
	try {
		words = splitCommand(body);
	} catch {
		return undefined;
	}
	// The script's own words plus what the user passes after the script name.
	const found = throughRunner([...words, ...extra.filter(a => a !== '--')], port);
	if (!found) return undefined;
	const needsSeparator = binName(manager!) === 'npm' && !extra.includes('--');
	return {command: [...command, ...(needsSeparator ? ['--'] : []), ...found.added], added: found.added, framework: found.framework};
}

/** `vite ...`, `npx [flags] vite ...`, `pnpm exec vite`, `pnpm vite`, `yarn [run|exec] vite`, `bunx vite`, `bun x vite`, `npm exec vite`. */
function throughRunner(command: readonly string[], port: number): Injection | undefined {
	const start = binStart(command);
	if (start === undefined) return undefined;
	const framework: Framework | undefined = frameworkOfBin(command[start]!);
	if (!framework) return undefined;
	const added = frameworkArgs(framework, command.slice(start + 1), port);
	if (!added) return undefined;
	return {command: [...command, ...added], added, framework: framework.name};
}

/** Index of the tool's own name in a direct or runner-wrapped command. */
function binStart(command: readonly string[]): number | undefined {
	const first = command[0];
	if (first === undefined) return undefined;
	const name = binName(first);
	const skipFlags = (from: number) => {
		let i = from;
		while (i < command.length && (command[i]!.startsWith('-'))) {
			// npx -p <pkg> / --package <pkg> take a value.
			if (command[i] === '-p' || command[i] === '--package') i++;
			i++;
		}
		return i < command.length ? i : undefined;
	};
	if (name === 'npx' || name === 'bunx') return skipFlags(1);
	if ((name === 'npm' && (command[1] === 'exec' || command[1] === 'x')) || (name === 'pnpm' && (command[1] === 'exec' || command[1] === 'dlx'))) return skipFlags(2);
	if (name === 'bun' && command[1] === 'x') return skipFlags(2);
	if (name === 'yarn' && (command[1] === 'exec' || command[1] === 'run' || command[1] === 'dlx')) return skipFlags(2);
	// `yarn vite` / `pnpm vite` run the bin when no script has that name (scripts are tried first).
	if ((name === 'yarn' || name === 'pnpm') && command[1] !== undefined && frameworkOfBin(command[1])) return 1;
	return frameworkOfBin(first) ? 0 : undefined;
}

/** `npm run dev`, `npm start`, `pnpm dev`, `yarn run dev`, `bun run dev` → the script's body and the extra args. */
function scriptCall(manager: string, args: readonly string[], scripts: Record<string, string>): {body: string; extra: string[]} | undefined {
	let index = 0;
	if (args[0] === 'run' || args[0] === 'run-script') index = 1;
	else if (manager === 'npm' && args[0] !== 'start') return undefined;
	const name = args[index];
	if (name === undefined || name.startsWith('-')) return undefined;
	const body = scripts[name];
	if (body === undefined) return undefined;
	return {body, extra: args.slice(index + 1)};
}
