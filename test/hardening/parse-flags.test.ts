// commands/parse.ts (Node's util.parseArgs since meow was dropped): the flag shapes the commands
// rely on, directly and through the real CLI.
import {afterEach, describe, expect, it} from 'vitest';
import {parseCommand} from '../../source/commands/parse.js';
import {HelpRequested, UsageError} from '../../source/core/errors.js';
import {port} from '../helpers/cli.js';
import {makeRepo, runCleanups, tempDir} from '../helpers/env.js';

afterEach(() => runCleanups());

const spec = {
	name: 'demo',
	usage: 'port demo [--dry-run] [--inject] [-n <lines>]',
	help: '\n  Demo help.\n',
	flags: {dryRun: {type: 'boolean', default: false}, inject: {type: 'boolean', default: true}, lines: {type: 'number', default: 100}, domain: {type: 'string'}},
} as const;

describe('parseCommand', () => {
	it('maps camelCase flags to kebab-case, applies defaults, negation and the last repeated value', async () => {
		expect(await parseCommand(spec, ['a'])).toEqual({input: ['a'], flags: {dryRun: false, inject: true, lines: 100, domain: undefined}});
		const parsed = await parseCommand(spec, ['--dry-run', '--no-inject', '--lines', '5', '--lines=7', '--domain=x.test', 'b', '-3']);
		expect(parsed).toEqual({input: ['b', '-3'], flags: {dryRun: true, inject: false, lines: 7, domain: 'x.test'}});
		expect((await parseCommand(spec, ['--dryRun', '--inject=false'])).flags).toMatchObject({dryRun: true, inject: false});
	});

	it('rejects unknown flags, values on booleans and missing values with one usage line', async () => {
		for (const [argv, message] of [
			[['--bogus'], "Unknown flag --bogus for 'port demo'."],
			[['-x'], "Unknown flag --x for 'port demo'."],
			[['--dry-run=maybe'], 'Flag --dry-run takes no value (got "maybe").'],
			[['--no-inject=true'], 'Flag --no-inject takes no value (got "true").'],
			[['--domain'], 'Flag --domain needs a value.'],
			[['--domain', '--dry-run'], 'Flag --domain needs a value.'],
		] as const) {
			const error = await parseCommand(spec, [...argv]).catch((error: unknown) => error);
			expect(error, argv.join(' ')).toBeInstanceOf(UsageError);
			expect({argv, message: (error as Error).message, hint: (error as UsageError).hint}).toEqual({argv, message, hint: "Run 'port demo --help' for usage."});
		}
	});

	it('answers --help with the help text, wherever it stands', async () => {
		const error = await parseCommand(spec, ['x', '--help']).catch((error: unknown) => error);
		expect(error).toBeInstanceOf(HelpRequested);
		expect((error as HelpRequested).text).toBe('\n  Usage\n    $ port demo [--dry-run] [--inject] [-n <lines>]\n\n  Demo help.\n\n');
	});
});

describe('flags through the CLI', () => {
	it('prints help after a positional, rejects a missing value, lets the last repeated number win', async () => {
		const repo = makeRepo();
		const env = {portHome: tempDir()};
		expect((await port(['init'], repo, env)).code).toBe(0);
		const help = await port(['list', 'x', '--help'], repo, env);
		expect(help).toMatchObject({code: 0, stderr: ''});
		expect(help.stdout).toMatch(/^\n {2}Usage\n {4}\$ port list \[--json\]\n/);
		const missing = await port(['install', '--dry-run', '--domain'], repo, env);
		expect(missing).toMatchObject({code: 2, stdout: '', stderr: "port: Flag --domain needs a value.\nRun 'port install --help' for usage.\n"});
		const repeated = await port(['logs', '--lines=5', '--lines=7'], repo, env);
		expect(repeated.stderr).toMatch(/^port: No host service running for /);
		expect(repeated.code).toBe(1);
	});
});
