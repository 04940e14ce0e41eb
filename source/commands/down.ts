import {ExitCode} from '../core/errors.js';
import {composeContext} from '../core/compose/context.js';
import {hostServicesOf} from '../core/compose/registered.js';
import {composeDown} from '../core/compose/up-down.js';
import {stopTraefikIfUnused} from '../core/traefik/container.js';
import {serviceLabel} from '../core/supervise/conflicts.js';
import {stopHostService} from '../core/supervise/control.js';
import {requireProject} from '../core/git/project.js';
import {readRegistry} from '../core/registry/registry.js';
import {cleanupStale} from '../core/supervise/stale.js';
import {warn} from '../core/warnings.js';
import {parseCommand, positionals} from './parse.js';
import {confirm} from './prompt.js';

export const spec = {
	name: 'down',
	usage: 'port down [--yes]',
	help: `
  Stops and removes this worktree's Docker Compose services (docker compose down) and
  unregisters them. If host services (port run) of this worktree are running, asks
  "N host service(s) running. Stop them too? [y/N]"; without a terminal the answer is no.
  Traefik is stopped once no project and no host service uses it any more.

  Options
    --yes   Also stop this worktree's host services, without asking
`,
	flags: {yes: {type: 'boolean', default: false}},
} as const;

export default async function down(argv: string[]): Promise<number> {
	const cli = await parseCommand(spec, argv);
	positionals(spec, cli.input, 0);
	const project = requireProject();
	cleanupStale();
	const ctx = composeContext(project);
	const {wasRegistered} = await composeDown(ctx, {progress: true});
	process.stdout.write(`${ctx.name} is down${wasRegistered ? '' : ' (it was not registered as up)'}\n`);

	const services = hostServicesOf(readRegistry(), project.repoRoot, project.worktree);
	if (services.length > 0) {
		const question = `${services.length} host service(s) running. Stop them too? [y/N] `;
		let stop = cli.flags.yes;
		if (!stop && process.stdin.isTTY) stop = await confirm(question);
		else if (!stop) process.stderr.write(`port: ${question}no (no terminal to ask; use --yes to stop them)\n`);
		if (stop) {
			await Promise.all(services.map(async s => {
				await stopHostService(s);
				process.stdout.write(`stopped ${serviceLabel(s)} (pid ${s.pid})\n`);
			}));
		} else {
			process.stdout.write(`left running: ${services.map(serviceLabel).join(', ')}\n`);
		}
	}
	try {
		if (await stopTraefikIfUnused()) process.stdout.write('Traefik stopped (nothing uses it any more)\n');
	} catch (error) {
		warn(`could not stop Traefik: ${(error as Error).message}`);
	}
	return ExitCode.ok;
}
