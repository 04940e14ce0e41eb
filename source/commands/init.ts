import {initProject} from '../core/git/init.js';
import {ExitCode, PortError} from '../core/errors.js';
import {findRepoRoot} from '../core/git/project.js';
import {parseCommand} from './parse.js';
import {writeHookExamples} from '../core/lifecycle/init-hooks.js';

export const spec = {
	name: 'init',
	usage: 'port init',
	help: `
  Creates .port/config.jsonc (commented defaults), .port/trees/ and commented example hooks
  (.port/hooks/post-create.sample, post-up.sample: inert until copied without .sample and made
  executable), and makes git ignore port's generated files. Safe to run again.
`,
	flags: {},
} as const;

export default async function init(argv: string[]): Promise<number> {
	await parseCommand(spec, argv);
	const repoRoot = findRepoRoot(process.cwd());
	if (!repoRoot) throw new PortError('Not inside a git repository.', ExitCode.config, "Run 'git init' first.");
	const done = [...initProject(repoRoot), ...writeHookExamples(repoRoot)];
	for (const line of done) process.stdout.write(`${line}\n`);
	return ExitCode.ok;
}
