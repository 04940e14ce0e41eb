import {existsSync} from 'node:fs';
import type {Options} from 'execa';
import {composeMissingError, composeVersionIfInstalled, docker, ensureNetwork, explainFailure, type DockerResult} from '../docker/cli.js';
import {ExitCode, PortError} from '../errors.js';
import type {Project} from '../git/project.js';
import {readRegistry, updateRegistryAsync, type ProjectEntry} from '../registry/registry.js';
import {assertTraefikCanPublish, ensureTraefik, type TraefikState} from '../traefik/container.js';
import {traefikNetwork} from '../traefik/static-files.js';
import {checkConflicts} from './conflicts.js';
import {composeArgs, composeContext, type ComposeContext} from './context.js';
import {planFor, planWithTcpPorts, writeOverride} from './override-file.js';
import type {OverridePlan} from './override-plan.js';
import {findProjectEntry, isEntryOf} from './registered.js';
import {requireCompose} from './version.js';

export interface UpOptions {
	/** Show docker compose's progress on our stderr while it runs. */
	progress?: boolean;
	/** Called with each step, for a short progress line. */
	onStep?: (message: string) => void;
	/** Aborted (Ctrl+C / SIGTERM): the docker call under way is stopped and composeUp throws `interrupted()`. */
	signal?: AbortSignal;
	/** Only these services (and their dependencies): `up -d <service...>` (`port up web db`). */
	services?: string[];
}

export interface UpResult extends Pick<OverridePlan, 'routes' | 'tcp' | 'notes'> {
	ctx: ComposeContext;
	traefik: TraefikState;
	composeVersion: string;
}

const streams = (progress: boolean | undefined): Options => (progress ? {stderr: ['pipe', 'inherit'], stdout: ['pipe', 'inherit']} : {});

/**
 * `port up`: validate everything first (compose file, docker, compose version, route
 * conflicts with other repositories and with this worktree's own host services), then write
 * the override, register, make Traefik ready and run `docker compose up -d`. A failure after
 * registering restores the previous registry entry.
 */
export async function composeUp(project: Project, options: UpOptions = {}): Promise<UpResult> {
	const ctx = composeContext(project);
	planFor(ctx); // a broken compose file is reported before any docker call
	const {signal} = options;
	const version = await requireCompose(signal);
	const plan = await planWithTcpPorts(ctx, version, signal);
	checkConflicts(readRegistry(), ctx, plan.routes);
	const ports = plan.routes.map(r => r.published);
	// A published port another program holds would leave Traefik unable to start: refuse before writing.
	await assertTraefikCanPublish(ports, signal);

	writeOverride(ctx, plan);
	let previous: ProjectEntry | undefined;
	await updateRegistryAsync(registry => {
		checkConflicts(registry, ctx, plan.routes);
		previous = findProjectEntry(registry, ctx);
		const entry: ProjectEntry = {
			repo: ctx.repoRoot,
			worktree: ctx.worktree,
			path: ctx.worktreePath,
			composeProject: ctx.name,
			domain: ctx.domain,
			ports,
			updatedAt: new Date().toISOString(),
			composeFile: ctx.composeFile,
			routes: plan.routes,
			tcp: plan.tcp,
		};
		registry.projects = [...registry.projects.filter(p => !isEntryOf(p, ctx)), entry];
	});
	try {
		options.onStep?.(`ensuring Traefik has entrypoints ${ports.length > 0 ? ports.join(', ') : '(none)'}`);
		const traefik = await ensureTraefik(ports, undefined, undefined, {signal, lan: ctx.lan});
		await ensureNetwork(traefikNetwork, signal);
		const only = options.services ?? [];
		options.onStep?.(`docker compose -p ${ctx.name} up -d${only.map(name => ` ${name}`).join('')}`);
		const result = await docker([...composeArgs(ctx), 'up', '-d', ...only], {cwd: ctx.worktreePath, cancelSignal: signal, ...streams(options.progress)});
		if (result.exitCode !== 0) throw explainFailure(result, `docker compose up (project ${ctx.name})`);
		return {ctx, routes: plan.routes, tcp: plan.tcp, notes: plan.notes, traefik, composeVersion: version};
	} catch (error) {
		await updateRegistryAsync(registry => {
			registry.projects = registry.projects.filter(p => !isEntryOf(p, ctx));
			if (previous) registry.projects.push(previous);
		});
		if (error instanceof PortError && !error.hint && error.exitCode === ExitCode.docker) {
			throw new PortError(error.message, error.exitCode, "Run 'port down' to remove anything that did start.", {cause: error});
		}
		throw error;
	}
}

/**
 * `docker compose down` for a worktree, then unregisters it. Uses the compose and override
 * files when both are there and still valid; otherwise the project name alone (Compose finds
 * the containers by their project label), so a broken or deleted compose file never strands a stack.
 * Without the Compose plugin a worktree that is not registered has nothing to take down
 * (`ran: false`); a registered one fails with one line (exit 5) before docker prints its usage.
 */
export async function composeDown(ctx: ComposeContext, options: {progress?: boolean} = {}): Promise<{wasRegistered: boolean; ran: boolean}> {
	if ((await composeVersionIfInstalled()) === undefined) {
		if (findProjectEntry(readRegistry(), ctx)) throw composeMissingError();
		return {wasRegistered: false, ran: false};
	}
	const withFiles = ctx.composeFiles.every(f => existsSync(f)) && existsSync(ctx.overrideFile);
	const cwd = existsSync(ctx.worktreePath) ? ctx.worktreePath : undefined;
	const byName = ['compose', '-p', ctx.name];
	let result: DockerResult = await docker([...(withFiles ? composeArgs(ctx) : byName), 'down'], {cwd, ...streams(options.progress)});
	if (result.exitCode !== 0 && withFiles) {
		const fallback = await docker([...byName, 'down'], {cwd, ...streams(options.progress)});
		if (fallback.exitCode === 0 || /Cannot connect|daemon/i.test(fallback.stderr)) result = fallback;
	}
	if (result.exitCode !== 0) throw explainFailure(result, `docker compose down (project ${ctx.name})`);
	let wasRegistered = false;
	await updateRegistryAsync(registry => {
		wasRegistered = registry.projects.some(p => isEntryOf(p, ctx));
		registry.projects = registry.projects.filter(p => !isEntryOf(p, ctx));
	});
	return {wasRegistered, ran: true};
}
