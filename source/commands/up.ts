import {lanNotice} from '../core/exposure.js';
import {ExitCode} from '../core/errors.js';
import {composeUp, tcpAddress, urlOf} from '../core/compose-project.js';
import {requireProject} from '../core/project.js';
import {cleanupStale} from '../core/stale.js';
import {warn} from '../core/warnings.js';
import {parseCommand, positionals} from './parse.js';

export const spec = {
	name: 'up',
	usage: 'port up',
	help: `
  Starts this worktree's Docker Compose services behind <worktree>.<domain>:<port>.
  Writes .port/override.yml (host port bindings removed with ports: !reset [], Traefik labels,
  traefik-network), makes sure Traefik has an entrypoint for every published port and runs,
  then runs: docker compose -p <project> -f <compose> -f .port/override.yml up -d

  Needs Docker with Compose v2.18 or newer. Running it again is safe (idempotent).
`,
	flags: {},
} as const;

export default async function up(argv: string[]): Promise<number> {
	const cli = parseCommand(spec, argv);
	positionals(spec, cli.input, 0);
	const project = requireProject();
	cleanupStale();
	const started = Date.now();
	const result = await composeUp(project, {
		progress: true,
		onStep: step => process.stderr.write(`port: ${step}\n`),
	});
	for (const note of result.notes) process.stderr.write(`port: note: ${note}\n`);
	if (result.traefik.state === 'unavailable') warn(`${result.traefik.reason} The services run, but routing is off until Traefik runs.`);
	else if (project.config.lan && result.routes.length > 0) process.stderr.write(`port: ${lanNotice(result.routes.map(r => r.published))}\n`);
	const seconds = ((Date.now() - started) / 1000).toFixed(1);
	process.stdout.write(`${result.ctx.name} is up (${seconds} s)\n`);
	if (result.routes.length === 0 && result.tcp.length === 0) process.stdout.write('No published tcp ports: nothing to route.\n');
	for (const route of result.routes) {
		process.stdout.write(`  ${route.service.padEnd(16)} ${urlOf(result.ctx.hostname, route.published).padEnd(36)} -> container port ${route.target}\n`);
	}
	for (const t of result.tcp) {
		process.stdout.write(`  ${t.service.padEnd(16)} ${`${tcpAddress(t.hostPort)}  (tcp)`.padEnd(36)} -> container port ${t.target} (not HTTP: not routed)\n`);
	}
	return ExitCode.ok;
}
