import {cdShellTo} from './cd-file.js';
import {ExitCode, PortError} from '../core/errors.js';
import {findRepoRoot} from '../core/git/project.js';
import {parseCommand, positionals} from './parse.js';

export const spec = {
	name: 'exit',
	usage: 'port exit',
	help: `
  Prints the repository root (the main checkout). With the shell hook
  (eval "$(port shell-hook bash)") your shell changes into it: the way back from port enter.
`,
	flags: {},
} as const;

export default async function exit(argv: string[]): Promise<number> {
	const cli = await parseCommand(spec, argv);
	positionals(spec, cli.input, 0);
	const repoRoot = findRepoRoot(process.cwd());
	if (!repoRoot) throw new PortError('Not inside a git repository.', ExitCode.config);
	process.stdout.write(`${repoRoot}\n`);
	cdShellTo(repoRoot);
	return ExitCode.ok;
}
