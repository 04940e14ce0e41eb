// The fast argument path (commands/parse.ts, used so start-up does not load meow) must give
// exactly what meow gives for every argument shape it accepts, and must hand every other shape
// to meow.
import {describe, expect, it} from 'vitest';
import type {AnyFlags} from 'meow';
import {isSimpleArg, loadFullParser, parseCommand, type CommandSpec} from '../../source/commands/parse.js';

const specs = {
	list: {name: 'list', usage: 'port list [--json]', help: '', flags: {json: {type: 'boolean', default: false}}},
	kill: {name: 'kill', usage: 'port kill [port] [--all]', help: '', flags: {all: {type: 'boolean', default: false}}},
	remove: {name: 'remove', usage: 'port remove <b>', help: '', flags: {force: {type: 'boolean', default: false}, keepBranch: {type: 'boolean', default: false}}},
	init: {name: 'init', usage: 'port init', help: '', flags: {}},
} as const satisfies Record<string, CommandSpec<AnyFlags>>;

const cases: Array<[keyof typeof specs, string[]]> = [
	['list', []],
	['list', ['--json']],
	['list', ['--json', '--json']],
	['list', ['--no-json']],
	['list', ['--json', '--no-json']],
	['list', ['extra']],
	['list', ['--bogus']],
	['list', ['--jsonx']],
	['kill', ['3000']],
	['kill', ['3000', '--all']],
	['kill', ['--all', '3000', '4000']],
	['kill', ['abc']],
	['kill', ['0']],
	['kill', ['65536']],
	['kill', ['3e3']],
	['remove', ['feat', '--keep-branch', '--force']],
	['remove', ['feat', '--no-keep-branch']],
	['remove', ['--force']],
	['remove', ['a', 'b', 'c']],
	['remove', ['--keep']],
	['init', []],
	['init', ['--json']],
	['init', ['x']],
];

type Outcome = {input: unknown; flags: unknown} | {error: string};
const outcome = (name: keyof typeof specs, argv: string[]): Outcome => {
	try {
		const cli = parseCommand(specs[name] as CommandSpec<AnyFlags>, argv);
		return {input: cli.input, flags: cli.flags};
	} catch (error) {
		return {error: (error as Error).message};
	}
};

describe('argument fast path', () => {
	it('classifies argument shapes', () => {
		expect(['3000', 'feat', '--json', '--keep-branch', '--no-json', ''].every(isSimpleArg)).toBe(true);
		for (const arg of ['-h', '--help', '-x', '--json=false', '--Json', '-1', '--', '---x', '--a_b']) expect(isSimpleArg(arg)).toBe(false);
	});

	it('gives the same input, flags and errors as meow for every simple argv', async () => {
		// Fast path first (meow not loaded yet in this worker), then the same cases through meow.
		expect(outcome('list', ['-h'])).toEqual({error: 'port list: arguments need the full parser'});
		const fast = cases.map(([name, argv]) => outcome(name, argv));
		expect(fast.every(o => !('error' in o) || !o.error.includes('full parser'))).toBe(true);
		await loadFullParser();
		const full = cases.map(([name, argv]) => outcome(name, argv));
		for (const [index, [name, argv]] of cases.entries()) {
			expect({name, argv, result: fast[index]}).toEqual({name, argv, result: full[index]});
		}
	});
});
