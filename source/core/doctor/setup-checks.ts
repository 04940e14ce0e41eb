import {compareVersions, minimumCompose} from '../compose/version.js';
import {composeVersionIfInstalled, docker, dockerAvailability} from '../docker/cli.js';
import {PortError} from '../errors.js';
import {which} from '../dns/plan.js';
import {readTraefikApplied, traefikFilesHash, traefikImage} from '../traefik/static-files.js';
import {traefikState} from '../traefik/container.js';
import {fail, ok, warnAt, type CheckResult, type DoctorContext} from './types.js';

/** Git repository, worktree, and `.port/config.jsonc`. */
export function projectChecks(ctx: DoctorContext): CheckResult[] {
	// detectProject refuses some repository layouts (bare, submodule) with the same kind of error.
	if (ctx.configError && !ctx.configError.includes('config.jsonc')) return [fail('git', ctx.configError, 'See "Worktrees anywhere" in the readme for the layouts port supports.')];
	if (ctx.configError) return [ok('git', 'inside a git repository'), fail('config', ctx.configError, 'Fix the file (JSON with comments; keys domain and compose), or delete it and run port init.')];
	const project = ctx.project;
	if (!project) return [warnAt('git', 'not inside a git repository: project checks skipped', 'cd into a repository (or one of its worktrees) to check it.')];
	return [
		ok('git', `repository ${project.repoRoot}, worktree ${project.worktree}${project.isMain ? ' (main checkout)' : ''}`),
		project.initialized ? ok('config', `.port/config.jsonc is valid (domain ${project.config.domain})`) : warnAt('config', 'no .port/config.jsonc: defaults apply', "Run 'port init' to create it."),
	];
}

/** Docker CLI, engine, Compose version, Traefik image and container. */
export async function dockerChecks(ctx: DoctorContext): Promise<CheckResult[]> {
	if (!which('docker')) {
		return [fail('docker', 'the docker CLI is not on PATH', 'Install Docker (https://docs.docker.com/get-docker/); port run works without it, but routing needs Traefik.')];
	}
	const results: CheckResult[] = [ok('docker', 'docker CLI found')];
	const engine = await dockerAvailability();
	if (!engine.ok) {
		results.push(fail('engine', engine.reason, 'Start Docker (Docker Desktop, or: sudo systemctl start docker).'));
		return results;
	}
	ctx.engine = true;
	results.push(ok('engine', 'Docker engine reachable'));
	try {
		const version = await composeVersionIfInstalled();
		if (version === undefined) results.push(fail('compose', 'Docker Compose v2 is not installed', 'Install the Compose v2 plugin (docker-compose-plugin).'));
		else if (compareVersions(version, minimumCompose) < 0) results.push(fail('compose', `Docker Compose ${version} is older than ${minimumCompose}`, 'Update the Compose plugin.'));
		else results.push(ok('compose', `Docker Compose ${version}`));
	} catch (error) {
		results.push(fail('compose', error instanceof PortError ? error.message : String(error), 'Install the Compose v2 plugin (docker-compose-plugin).'));
	}
	const image = traefikImage();
	const inspected = await docker(['image', 'inspect', '--format', '{{.Id}}', image]);
	results.push(inspected.exitCode === 0 ? ok('traefik-image', `${image} is present`) : warnAt('traefik-image', `${image} is not pulled yet`, `The first port up / port run pulls it; or now: docker pull ${image}`));
	const state = await traefikState();
	const routed = ctx.registry.projects.length + ctx.registry.hostServices.length;
	if (state.state === 'unavailable') results.push(fail('traefik', state.reason, 'Check the Docker engine.'));
	else if (state.state === 'stopped') {
		results.push(routed > 0 ? fail('traefik', `not running, but ${routed} registered service(s) need it`, "Run 'port up' (or restart a port run) to start it.") : ok('traefik', 'not running (nothing is routed)'));
	} else {
		ctx.traefikRunning = true;
		const applied = readTraefikApplied();
		results.push(
			applied && applied.hash === traefikFilesHash()
				? ok('traefik', `running with the expected configuration (entrypoints ${applied.ports.join(', ') || 'none'})`)
				: warnAt('traefik', 'running, but not with the configuration in $PORT_HOME/traefik', "Run 'port up' or a port run: they recreate it with the current files."),
		);
	}
	return results;
}
