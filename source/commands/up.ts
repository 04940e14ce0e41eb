import {lanNotice} from '../core/traefik/exposure.js';
import {ExitCode, PortError} from '../core/errors.js';
import {tcpAddress, urlOf} from '../core/compose/addresses.js';
import {composeContext} from '../core/compose/context.js';
import {composeUp, type UpResult} from '../core/compose/up-down.js';
import {runHook} from '../core/lifecycle/hooks.js';
import {hookTargetOf} from '../core/lifecycle/target.js';
import {killDockerCalls} from '../core/docker/cli.js';
import {signalExitCode} from '../core/supervise/exit-codes.js';
import {requireProject} from '../core/git/project.js';
import {cleanupStale} from '../core/supervise/stale.js';
import {warn} from '../core/warnings.js';
import {syncHosts} from '../core/dns/hosts-sync.js';
import {routedUrlProblem} from '../core/dns/honest.js';
import {parseCommand, positionals} from './parse.js';

export const spec = {
	name: 'up',
	usage: 'port up [service...]',
	help: `
  Starts this worktree's Docker Compose services behind <worktree>.<domain>:<port>.
  Uses the compose files plain docker compose would (COMPOSE_FILE, or compose.yaml /
  docker-compose.yml plus its *.override.yml) and the model Compose resolves from them
  (extends, include:, profiles). Writes .port/override.yml (host port bindings removed with
  ports: !reset [], Traefik labels, traefik-network), makes sure Traefik has an entrypoint for
  every published port and runs, then runs: docker compose -p <project> -f <file>...
  -f .port/override.yml [-f .port/override-compose.yml, yours, when it exists] up -d

  Needs Docker with Compose v2.18 or newer. Running it again is safe (idempotent).
  With service names, only those (and what they depend on) are started: up -d <service...>.
  Afterwards the .port/hooks/post-up hook runs, if there is one (port exits 1 when it fails;
  the services stay up).
`,
	flags: {},
} as const;

const stopSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export default async function up(argv: string[]): Promise<number> {
	const cli = await parseCommand(spec, argv);
	const services = positionals(spec, cli.input, Number.POSITIVE_INFINITY);
	const project = requireProject();
	cleanupStale();
	const started = Date.now();
	// Ctrl+C / SIGTERM stops the docker call under way and rolls the registration back; a second one exits at once.
	const setup = new AbortController();
	let received: NodeJS.Signals | undefined;
	const onSignal = (signal: NodeJS.Signals) => {
		if (received) {
			killDockerCalls();
			process.exit(signalExitCode(received));
		}
		received = signal;
		process.stderr.write('port: stopping port up (Ctrl+C again to force)\n');
		setup.abort();
	};
	for (const signal of stopSignals) process.on(signal, onSignal);
	let result: UpResult;
	try {
		result = await composeUp(project, {
			progress: true,
			onStep: step => process.stderr.write(`port: ${step}\n`),
			signal: setup.signal,
			services,
		});
	} catch (error) {
		if (!received) throw error;
		throw new PortError(`Interrupted (${received}): ${composeContext(project).name} is not up.`, signalExitCode(received), "Run 'port down' to remove anything that did start.");
	} finally {
		for (const signal of stopSignals) process.off(signal, onSignal);
	}
	syncHosts({add: [result.ctx.hostname]});
	for (const note of result.notes) process.stderr.write(`port: note: ${note}\n`);
	const why = result.routes.length > 0 && result.traefik.state !== 'unavailable' ? await routedUrlProblem(result.ctx.hostname, result.traefik) : undefined;
	if (why) process.stderr.write(`port: note: ${why}: the URLs below do not work now\n`);
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
	const hook = await runHook('post-up', hookTargetOf(project), true);
	if (hook && hook.exitCode !== 0) {
		throw new PortError(`post-up hook failed (exit ${hook.exitCode}); the services are up.`, ExitCode.failure, `Its output is in ${hook.logFile}; 'port hook post-up' runs it again.`);
	}
	return ExitCode.ok;
}
