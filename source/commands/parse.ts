import meow, {type AnyFlags, type Result} from 'meow';
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
 */
export function parseCommand<F extends AnyFlags>(spec: CommandSpec<F>, argv: string[]): Result<F> {
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
		if (!known.has(key) && !known.has(camel(key))) {
			throw new UsageError(`Unknown flag --${key} for 'port ${spec.name}'.`, `Run 'port ${spec.name} --help' for usage.`);
		}
	}
	return cli;
}

const camel = (key: string) => key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
