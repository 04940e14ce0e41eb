import {existsSync} from 'node:fs';
import {ExitCode} from '../core/errors.js';
import {composeArgs, composeContext} from '../core/compose/context.js';
import {modelFlags, resolveModel} from '../core/compose/model.js';
import {planFor, writeOverride} from '../core/compose/override-file.js';
import {composeVersion, docker} from '../core/docker/cli.js';
import {requireProject} from '../core/git/project.js';
import {cleanupStale} from '../core/supervise/stale.js';

export const help = `
  Usage
    $ port compose <args...>

  Runs docker compose with this worktree's project name and files:
    docker compose -p <project> -f <compose files> -f .port/override.yml
      [-f .port/override-compose.yml] <args...>
  Every argument is passed through untouched (port compose --help shows this text;
  docker compose's own help is port compose help). Exits with docker compose's exit code.
  The override is (re)generated first, so ports never bind on the host.

  Examples
    $ port compose ps
    $ port compose logs -f web
    $ port compose exec web sh
`;

export default async function compose(argv: string[], rest: string[] | undefined): Promise<number> {
	if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h') && rest === undefined) {
		process.stdout.write(help);
		return ExitCode.ok;
	}
	const project = requireProject();
	cleanupStale();
	const ctx = composeContext(project);
	// Without the plugin docker would print its own usage text and exit 125: say so in one line.
	await composeVersion();
	// Keep the override in step with the compose files: our own reading first for friendly
	// errors, then the model Compose resolves (override files, extends, include:, profiles,
	// including a `--profile` given here, so its services bind no host ports either).
	if (existsSync(ctx.composeFile) || !existsSync(ctx.overrideFile)) {
		planFor(ctx);
		writeOverride(ctx, planFor(ctx, undefined, await resolveModel(ctx, undefined, modelFlags(argv))));
	}
	const args = [...composeArgs(ctx), ...argv, ...(rest === undefined ? [] : ['--', ...rest])];
	// The terminal's Ctrl-C reaches docker compose too (same process group); we just wait for it.
	const ignore = () => {};
	process.on('SIGINT', ignore);
	try {
		const result = await docker(args, {cwd: ctx.worktreePath, stdin: 'inherit', stdout: 'inherit', stderr: 'inherit'});
		return result.exitCode;
	} finally {
		process.off('SIGINT', ignore);
	}
}
