import type {AnyFlags, Result} from 'meow';
import {UsageError} from '../core/errors.js';
import {version} from '../version.js';

export interface CommandSpec<F extends AnyFlags> {
	name: string;
	usage: string;
	help: string;
	flags: F;
}

/**
 * meow is the full parser (help, `--flag=value`, short flags, types); its bundle is a quarter
 * of a megabyte that every start would parse. It is therefore loaded only when an argument
 * needs it: cli.ts awaits `loadFullParser()` unless every argument is `simple`, and the common
 * invocations (`port list --json`, `port run 3000 -- ...`, `port kill --all`) are parsed by the
 * small equivalent below (test/hardening/parse-fast-path.test.ts checks both agree).
 */
// Kept on globalThis: the built CLI has a copy of this module in cli.js and in each command's
// bundle (scripts/build.mjs), and cli.js loads meow for the command's copy.
const meowKey = Symbol.for('port.meow');
const slot = globalThis as unknown as Record<symbol, typeof import('meow') | undefined>;

export async function loadFullParser(): Promise<void> {
	slot[meowKey] ??= await import('meow');
}

/** An argument the fast path understands: a positional or `--word` / `--no-word` (not `--help`). */
export const isSimpleArg = (arg: string) => !arg.startsWith('-') || (/^--[a-z][a-z0-9-]*$/.test(arg) && arg !== '--help');

/** Thrown when the fast path cannot decide and meow is not loaded yet; cli.ts loads it and retries. */
export class FullParserNeeded extends Error {
	override name = 'FullParserNeeded';
}

export const isFullParserNeeded = (error: unknown) => error instanceof Error && error.name === 'FullParserNeeded';

/**
 * meow for one subcommand, with our own unknown-flag error (one line + a hint, exit 2) instead
 * of meow's two-line one. `--help` prints the command's help and exits 0.
 * Must be the first thing a command does (it may be retried, see FullParserNeeded).
 */
export function parseCommand<F extends AnyFlags>(spec: CommandSpec<F>, argv: string[]): Result<F> {
	const meowModule = slot[meowKey];
	if (!meowModule) {
		const fast = parseSimple(spec, argv);
		if (fast) return fast;
		throw new FullParserNeeded(`port ${spec.name}: arguments need the full parser`);
	}
	const cli = meowModule.default(`\n  Usage\n    $ ${spec.usage}\n${spec.help}`, {
		importMeta: import.meta,
		argv,
		flags: spec.flags,
		allowUnknownFlags: true,
		autoVersion: false,
		description: false,
		pkg: {name: 'port', version},
	});
	const known = new Set(['help', ...Object.keys(spec.flags)]);
	for (const key of Object.keys(cli.unnormalizedFlags)) {
		if (!known.has(key) && !known.has(camel(key))) throw unknownFlag(spec.name, key);
	}
	// yargs reads `--replace=maybe` as false without a word; a boolean flag takes no value.
	const declared = spec.flags as Record<string, {type?: string}>;
	for (const arg of argv) {
		const [, name, value] = /^--([^=]+)=(.*)$/s.exec(arg) ?? [];
		if (name !== undefined && declared[camel(name)]?.type === 'boolean' && value !== 'true' && value !== 'false') {
			throw new UsageError(`Flag --${name} takes no value (got ${JSON.stringify(value)}).`, `Run 'port ${spec.name} --help' for usage.`);
		}
	}
	return cli;
}

const unknownFlag = (command: string, key: string) =>
	new UsageError(`Unknown flag --${key} for 'port ${command}'.`, `Run 'port ${command} --help' for usage.`);

/** Positionals and boolean `--flag` / `--no-flag` only; undefined when meow is needed. */
function parseSimple<F extends AnyFlags>(spec: CommandSpec<F>, argv: string[]): Result<F> | undefined {
	if (!argv.every(isSimpleArg)) return undefined;
	const declared = spec.flags as Record<string, {type?: string; default?: unknown}>;
	const flags: Record<string, unknown> = {};
	for (const [key, flag] of Object.entries(declared)) {
		if (flag.type !== 'boolean') return undefined;
		flags[key] = flag.default ?? false;
	}
	const input: string[] = [];
	const seen: Record<string, unknown> = {};
	for (const arg of argv) {
		if (!arg.startsWith('--')) {
			input.push(arg);
			continue;
		}
		const name = camel(arg.slice(2));
		if (Object.hasOwn(declared, name)) {
			flags[name] = seen[name] = true;
		} else if (name.startsWith('no') && Object.hasOwn(declared, lowerFirst(name.slice(2)))) {
			flags[lowerFirst(name.slice(2))] = seen[lowerFirst(name.slice(2))] = false;
		} else {
			throw unknownFlag(spec.name, name);
		}
	}
	process.title = 'port';
	const help = `\n  Usage\n    $ ${spec.usage}\n${spec.help}`;
	const showHelp = (code?: number): never => {
		process.stdout.write(`${help}\n`);
		process.exit(typeof code === 'number' ? code : 2);
	};
	return {
		input,
		flags,
		unnormalizedFlags: {...flags, ...seen},
		pkg: {name: 'port', version},
		help,
		showHelp,
		showVersion: () => {
			process.stdout.write(`${version}\n`);
			process.exit(0);
		},
		command: undefined,
	} as unknown as Result<F>;
}

const camel = (key: string) => key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const lowerFirst = (key: string) => key.charAt(0).toLowerCase() + key.slice(1);

/**
 * Checks a command's positional arguments: at most `max`, and when `missing` is given, the first
 * one is required (its message says what is missing). Usage errors exit 2 with the usage line.
 */
export function positionals(spec: {usage: string}, input: readonly string[], max: number, missing?: string): string[] {
	const usage = `Usage: ${spec.usage}`;
	if (missing !== undefined && input.length === 0) throw new UsageError(missing, usage);
	if (input.length > max) throw new UsageError(`Unexpected argument "${input[max]}".`, usage);
	return [...input];
}
