import {ExitCode, PortError} from '../core/errors.js';
import {urlOf} from '../core/compose/addresses.js';
import {composeContext} from '../core/compose/context.js';
import {findProjectEntry, hostServicesOf} from '../core/compose/registered.js';
import {requireProject} from '../core/git/project.js';
import {readRegistry} from '../core/registry/registry.js';
import {cleanupStale} from '../core/supervise/stale.js';
import {hookState, runHook} from '../core/lifecycle/hooks.js';
import {hookTargetOf} from '../core/lifecycle/target.js';
import {openInBrowser} from '../core/lifecycle/browser.js';
import {parseCommand, positionals} from './parse.js';

export const spec = {
	name: 'open',
	usage: 'port open',
	help: `
  Runs this worktree's post-up hook (.port/hooks/post-up) when there is one; otherwise opens
  the worktree's first URL (its first Compose route, else its first host service) in a
  browser: with $BROWSER when set (':'-separated commands tried in turn; %s is the URL, else
  it is appended), else xdg-open (open on macOS).
  Exits 1 when nothing of this worktree is up; with the hook's exit code otherwise.
`,
	flags: {},
} as const;

/** The first URL of a worktree: Compose routes (port up) first, then host services (port run). */
function firstUrl(project: ReturnType<typeof requireProject>): string | undefined {
	const registry = readRegistry();
	const ctx = composeContext(project);
	const route = findProjectEntry(registry, ctx)?.routes?.[0];
	if (route) return urlOf(ctx.hostname, route.published);
	const service = hostServicesOf(registry, project.repoRoot, project.worktree).sort((a, b) => a.logicalPort - b.logicalPort)[0];
	return service ? urlOf(service.hostname, service.logicalPort) : undefined;
}

export default async function open(argv: string[]): Promise<number> {
	const cli = await parseCommand(spec, argv);
	positionals(spec, cli.input, 0);
	const project = requireProject();
	cleanupStale();
	if (hookState(project.repoRoot, 'post-up') === 'ready') {
		const run = (await runHook('post-up', hookTargetOf(project), false))!;
		if (run.exitCode !== 0) process.stderr.write(`port: hook post-up failed (exit ${run.exitCode}); log: ${run.logFile}\n`);
		return run.exitCode;
	}
	const url = firstUrl(project);
	if (!url) throw new PortError(`Nothing of ${project.worktree} is up: no URL to open.`, ExitCode.failure, "Start it with 'port up' or 'port run', or add a .port/hooks/post-up hook.");
	await openInBrowser(url);
	process.stdout.write(`opened ${url}\n`);
	return ExitCode.ok;
}
