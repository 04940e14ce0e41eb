// The argument parser (commands/parse.ts, util.parseArgs) through the real CLI: for each argv shape the
// exit code, the kind of output and the error line stay what they were when a second, hand-written
// parser handled the simple shapes (the expectations were recorded from that build).
import {afterEach, describe, expect, it} from 'vitest';
import {port} from '../helpers/cli.js';
import {makeRepo, runCleanups, tempDir} from '../helpers/env.js';

afterEach(() => runCleanups());

const human = /^Worktrees of /;
const json = /^\{\n {2}"worktrees": \[/;
const listHelp = /^\n {2}Usage\n {4}\$ port list \[--json\]\n/;
const killUsage = 'Usage: port kill [logical-port] [--all]';
const removeUsage = 'Usage: port remove [<branch>] [--force] [--keep-branch] [--yes]   (alias: rm)';
const noWorktree = 'port: No worktree for "feat" (no linked worktree has that branch or name).\nRun \'port list\' to see the worktrees.\n';
const unknownFlag = (command: string, flag: string) => `port: Unknown flag --${flag} for 'port ${command}'.\nRun 'port ${command} --help' for usage.\n`;
const invalidPort = (value: string) => `port: Invalid port "${value}": expected an integer from 1 to 65535.\n${killUsage}\n`;

// [argv, exit code, stdout pattern, stderr]
const cases: Array<[string[], number, RegExp, string]> = [
	[['list'], 0, human, ''],
	[['list', '--json'], 0, json, ''],
	[['list', '--json', '--json'], 0, json, ''],
	[['list', '--no-json'], 0, human, ''],
	[['list', '--json', '--no-json'], 0, human, ''],
	[['list', '--json=false'], 0, human, ''],
	[['list', '--json=true'], 0, json, ''],
	[['list', 'extra'], 0, human, ''],
	[['list', '--bogus'], 2, /^$/, unknownFlag('list', 'bogus')],
	[['list', '--jsonx'], 2, /^$/, unknownFlag('list', 'jsonx')],
	[['list', '-h'], 2, /^$/, unknownFlag('list', 'h')],
	[['list', '--json=maybe'], 2, /^$/, `port: Flag --json takes no value (got "maybe").\nRun 'port list --help' for usage.\n`],
	[['list', '--help'], 0, listHelp, ''],
	[['kill', '3000'], 0, /^No host services to stop on port 3000\.\n$/, ''],
	[['kill', '3000', '--all'], 0, /^No host services to stop on port 3000\.\n$/, ''],
	[['kill', '--all'], 0, /^No host services to stop\.\n$/, ''],
	[['kill', '--all', '3000', '4000'], 2, /^$/, `port: Unexpected argument "4000".\n${killUsage}\n`],
	[['kill', 'abc'], 2, /^$/, invalidPort('abc')],
	[['kill', '0'], 2, /^$/, invalidPort('0')],
	[['kill', '65536'], 2, /^$/, invalidPort('65536')],
	[['kill', '3e3'], 2, /^$/, invalidPort('3e3')],
	[['remove', 'feat', '--keep-branch', '--force'], 1, /^$/, noWorktree],
	[['remove', 'feat', '--no-keep-branch'], 1, /^$/, noWorktree],
	[['remove', '--force'], 2, /^$/, `port: Missing <branch>: you are in the main checkout, which port remove does not remove.\n${removeUsage}\n`],
	[['remove', 'a', 'b', 'c'], 2, /^$/, `port: Unexpected argument "b".\n${removeUsage}\n`],
	[['remove', '--keep'], 2, /^$/, unknownFlag('remove', 'keep')],
	[['init', '--json'], 2, /^$/, unknownFlag('init', 'json')],
	[['status', '--json', '--verbose'], 2, /^$/, unknownFlag('status', 'verbose')],
];

describe('argument parsing through the CLI', () => {
	it('gives the same exit code, output and error line for every argv shape', async () => {
		const repo = makeRepo();
		const env = {portHome: tempDir()};
		expect((await port(['init'], repo, env)).code).toBe(0);
		const results = await Promise.all(cases.map(([argv]) => port(argv, repo, env)));
		for (const [index, [argv, code, stdout, stderr]] of cases.entries()) {
			const result = results[index]!;
			expect({argv, code: result.code, stderr: result.stderr}).toEqual({argv, code, stderr});
			expect(result.stdout, argv.join(' ')).toMatch(stdout);
		}
	});
});
