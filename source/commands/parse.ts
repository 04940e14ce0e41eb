import {parseArgs} from 'node:util';
import {HelpRequested, UsageError} from '../core/errors.js';

/** A command's flag: camelCase in code, kebab-case on the command line (`keepBranch` is `--keep-branch`). */
export interface FlagSpec {
	type: 'boolean' | 'string' | 'number';
	default?: boolean | string | number;
}

export interface CommandSpec<F extends Record<string, FlagSpec>> {
	name: string;
	usage: string;
	help: string;
	flags: F;
}

type Value<S extends FlagSpec> = S['type'] extends 'boolean' ? boolean : S['type'] extends 'number' ? number : string;
export interface Parsed<F extends Record<string, FlagSpec>> {
	input: string[];
	flags: {[K in keyof F]: F[K] extends {default: unknown} ? Value<F[K]> : Value<F[K]> | undefined};
}

/**
 * One subcommand's argv, by Node's own `util.parseArgs` (tokens only: the checks and messages are
 * ours). Long flags only; `--no-<flag>` and `--<flag>=true|false` for booleans; the last of a
 * repeated flag wins. An unknown flag is one line + a hint, exit 2. `--help` throws HelpRequested
 * (cli.ts prints the command's help, exit 0). meow did this before; loading it cost `port list`
 * ~30 ms (readme.md, "What start-up costs").
 */
export async function parseCommand<F extends Record<string, FlagSpec>>(spec: CommandSpec<F>, argv: string[]): Promise<Parsed<F>> {
	const declared = new Map<string, [string, FlagSpec]>(Object.entries(spec.flags).map(([key, flag]) => [kebab(key), [key, flag]]));
	const options = Object.fromEntries([...declared].map(([name, [, flag]]) => [name, {type: flag.type === 'boolean' ? 'boolean' : 'string'}] as const));
	const {tokens} = parseArgs({args: argv, options, strict: false, allowPositionals: true, tokens: true});
	const hint = `Run 'port ${spec.name} --help' for usage.`;
	const values: Record<string, unknown> = {};
	const input: string[] = [];
	let help = false;
	let numberAt = -1;
	for (const token of tokens) {
		if (token.kind === 'positional') input.push(token.value);
		if (token.kind !== 'option') continue;
		// There are no short flags: `-5` is an argument (`port kill -5` is then a bad port), once.
		if (/^-\d/.test(argv[token.index]!)) {
			if (token.index !== numberAt) input.push(argv[token.index]!);
			numberAt = token.index;
			continue;
		}
		const {rawName, value} = token;
		const negated = token.name.startsWith('no-') && declared.get(kebab(token.name.slice(3)))?.[1].type === 'boolean';
		const name = kebab(negated ? token.name.slice(3) : token.name);
		if (name === 'help' && !negated) {
			if (value !== undefined && value !== 'true' && value !== 'false') throw new UsageError(`Flag --help takes no value (got ${JSON.stringify(value)}).`, hint);
			help = value !== 'false';
			continue;
		}
		const [key, flag] = declared.get(name) ?? [];
		if (!key || !flag) throw new UsageError(`Unknown flag --${token.name} for 'port ${spec.name}'.`, hint);
		if (flag.type === 'boolean') {
			if (value !== undefined && (negated || (value !== 'true' && value !== 'false'))) {
				throw new UsageError(`Flag ${rawName} takes no value (got ${JSON.stringify(value)}).`, hint);
			}
			values[key] = !negated && value !== 'false';
			continue;
		}
		// `--domain --yes` is a missing value, not the domain "--yes"; `-n -2` is a (bad) number.
		if (value === undefined || (!token.inlineValue && value.startsWith('-') && !/^-\d/.test(value))) {
			throw new UsageError(`Flag ${rawName} needs a value.`, hint);
		}
		values[key] = flag.type === 'number' ? Number(value) : value;
	}
	if (help) throw new HelpRequested(`\n${`  Usage\n    $ ${spec.usage}\n${spec.help}`.replace(/^\n+|\n+$/g, '')}\n\n`);
	const flags = Object.fromEntries(Object.entries(spec.flags).map(([key, flag]) => [key, key in values ? values[key] : flag.default]));
	return {input, flags} as Parsed<F>;
}

const kebab = (key: string) => key.replace(/[A-Z]/g, c => `-${c.toLowerCase()}`);

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
