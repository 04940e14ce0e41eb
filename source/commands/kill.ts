import {parseLogicalPort} from '../core/args.js';
import {ExitCode, PortError} from '../core/errors.js';
import {serviceLabel} from '../core/supervise/conflicts.js';
import {stopHostService} from '../core/supervise/control.js';
import {detectProject} from '../core/git/project.js';
import {readRegistry} from '../core/registry/registry.js';
import {childAlive, cleanupStale} from '../core/supervise/stale.js';
import {legacyCommandMatches, legacyRefusal} from '../core/supervise/legacy-process.js';
import {parseCommand, positionals} from './parse.js';

export const spec = {
	name: 'kill',
	usage: 'port kill [logical-port] [--all]',
	help: `
  Stops host services of the current worktree (whole process groups: SIGTERM, then SIGKILL
  after PORT_STOP_TIMEOUT ms, default 5000) and removes their routes and registry entries.

  Options
    --all   Every host service of every worktree of this repository
            (outside a repository: every registered host service)

  Examples
    $ port kill 3000
    $ port kill --all
`,
	flags: {all: {type: 'boolean', default: false}},
} as const;

export default async function kill(argv: string[]): Promise<number> {
	const cli = await parseCommand(spec, argv);
	const usage = `Usage: ${spec.usage}`;
	positionals(spec, cli.input, 1);
	const port = cli.input[0] === undefined ? undefined : parseLogicalPort(cli.input[0], usage);
	const project = detectProject();
	if (!project && !cli.flags.all) throw new PortError('Not inside a git repository.', ExitCode.config, 'Use --all to stop every registered host service.');
	cleanupStale();
	const targets = readRegistry().hostServices.filter(
		s =>
			(!project || s.repo === project.repoRoot) &&
			(cli.flags.all || s.branch === project?.worktree) &&
			(port === undefined || s.logicalPort === port),
	);
	if (targets.length === 0) {
		process.stdout.write(`No host services to stop${port === undefined ? '' : ` on port ${port}`}.\n`);
		return ExitCode.ok;
	}
	let refused = false;
	await Promise.all(
		targets.map(async s => {
			// An older port's entry whose process cannot be proven to be it is left running.
			if (s.legacy && childAlive(s) && !legacyCommandMatches(s)) {
				process.stderr.write(`port: ${legacyRefusal(s)}\n`);
				refused = true;
				return;
			}
			await stopHostService(s);
			process.stdout.write(`stopped ${serviceLabel(s)} (pid ${s.pid}, localhost:${s.actualPort})\n`);
		}),
	);
	return refused ? ExitCode.failure : ExitCode.ok;
}
