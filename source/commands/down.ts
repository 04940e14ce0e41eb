import {ExitCode} from '../core/errors.js';
import {composeArgs, composeContext} from '../core/compose/context.js';
import {hostServicesOf} from '../core/compose/registered.js';
import {composeDown} from '../core/compose/up-down.js';
import {stopTraefikIfUnusedOrWarn} from '../core/traefik/container.js';
import {composeVersion, docker, explainFailure} from '../core/docker/cli.js';
import {serviceLabel} from '../core/supervise/conflicts.js';
import {stopHostService} from '../core/supervise/control.js';
import {requireProject} from '../core/git/project.js';
import {readRegistry} from '../core/registry/registry.js';
import {cleanupStale} from '../core/supervise/stale.js';
import {parseCommand, positionals} from './parse.js';
import {confirm} from './prompt.js';

export const spec = {
	name: 'down',
	usage: 'port down [service...] [--yes]',
	help: `
  Stops and removes this worktree's Docker Compose services (docker compose down) and
  unregisters them. If host services (port run) of this worktree are running, asks
  "N host service(s) running. Stop them too? [y/N]"; without a terminal the answer is no.
  Traefik is stopped once no project and no host service uses it any more.

  With service names, only those containers are stopped and removed (docker compose stop,
  then rm -f); the project stays registered and its other services, host services and
  Traefik are left alone.

  Options
    --yes   Also stop this worktree's host services, without asking
`,
	flags: {yes: {type: 'boolean', default: false}},
} as const;

export default async function down(argv: string[]): Promise<number> {
	const cli = await parseCommand(spec, argv);
	const only = positionals(spec, cli.input, Number.POSITIVE_INFINITY);
	const project = requireProject();
	cleanupStale();
	const ctx = composeContext(project);
	if (only.length > 0) {
		await composeVersion(); // one line (exit 5) instead of docker's usage text without the plugin
		for (const step of [['stop', ...only], ['rm', '-f', ...only]]) {
			const result = await docker([...composeArgs(ctx), ...step], {cwd: ctx.worktreePath, stderr: ['pipe', 'inherit']});
			if (result.exitCode !== 0) throw explainFailure(result, `docker compose ${step[0]} ${only.join(' ')} (project ${ctx.name})`);
		}
		process.stdout.write(`${only.join(', ')} of ${ctx.name} ${only.length === 1 ? 'is' : 'are'} down\n`);
		return ExitCode.ok;
	}
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
	if (await stopTraefikIfUnusedOrWarn()) process.stdout.write('Traefik stopped (nothing uses it any more)\n');
	return ExitCode.ok;
}
