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
 * meow for one subcommand, with our own unknown-flag error (one line + a hint, exit 2) instead
 * of meow's two-line one. `--help` prints the command's help and exits 0.
 * meow is imported here, on first use, so that `port --version` and `port --help` never load it.
 */
export async function parseCommand<F extends AnyFlags>(spec: CommandSpec<F>, argv: string[]): Promise<Result<F>> {
	const {default: meow} = await import('meow');
	const cli = meow(`\n  Usage\n    $ ${spec.usage}\n${spec.help}`, {
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

const camel = (key: string) => key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

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
