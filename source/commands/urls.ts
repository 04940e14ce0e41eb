import {ExitCode, PortError} from '../core/errors.js';
import {tcpAddress, urlOf} from '../core/compose/addresses.js';
import {composeContext} from '../core/compose/context.js';
import {planFor} from '../core/compose/override-file.js';
import {findProjectEntry, hostServicesOf} from '../core/compose/registered.js';
import {requireProject} from '../core/git/project.js';
import {readRegistry} from '../core/registry/registry.js';
import {cleanupStale} from '../core/supervise/stale.js';
import {routedUrlProblem} from '../core/dns/honest.js';
import {traefikState} from '../core/traefik/container.js';
import {parseCommand, positionals} from './parse.js';

export const spec = {
	name: 'urls',
	usage: 'port urls [service]',
	help: `
  Prints the URLs of this worktree: one per published port of each Compose service (as
  routed by port up, or as port up would route them), and one per host service (port run).
  With [service], prints only that service's URLs, one per line (handy in scripts).
  Host services also show their direct URL (http://localhost:<actual port>); when the routed
  URLs do not work now (Traefik not running, the name does not resolve), a note says why.

  Examples
    $ port urls
    $ curl "$(port urls web)"
`,
	flags: {},
} as const;

export default async function urls(argv: string[]): Promise<number> {
	const cli = await parseCommand(spec, argv);
	positionals(spec, cli.input, 1);
	const wanted = cli.input[0];
	const project = requireProject();
	cleanupStale();
	const ctx = composeContext(project);
	const registry = readRegistry();
	const entry = findProjectEntry(registry, ctx);
	// Routes of a running stack come from the registry; otherwise from the compose file (if any).
	let routes = entry?.routes;
	if (!routes) {
		try {
			routes = planFor(ctx).routes;
		} catch (error) {
			// A host service's URL needs no compose file.
			if (wanted === undefined || wanted.startsWith('host:') || !(error instanceof PortError)) routes = [];
			else throw error;
		}
	}
	const rows: Array<[string, string, string?]> = routes.map(r => [r.service, urlOf(ctx.hostname, r.published)]);
	for (const t of entry?.tcp ?? []) rows.push([t.service, `${tcpAddress(t.hostPort)}  (tcp)`]);
	for (const s of hostServicesOf(registry, project.repoRoot, project.worktree)) rows.push([`host:${s.logicalPort}`, urlOf(s.hostname, s.logicalPort), `http://localhost:${s.actualPort}`]);
	// Checked only for a routed URL that could work: a stack that is up, or a host service.
	const problem = entry || rows.some(r => r[2]) ? routedUrlProblem(ctx.hostname, traefikState()) : Promise.resolve(undefined);

	if (wanted !== undefined) {
		const mine = rows.filter(([name]) => name === wanted);
		if (mine.length === 0) {
			const known = [...new Set(rows.map(([name]) => name))];
			throw new PortError(`No URL for service "${wanted}" in ${project.worktree}.`, ExitCode.failure, known.length > 0 ? `Known: ${known.join(', ')}` : 'This worktree publishes no ports.');
		}
		process.stdout.write(mine.map(([, url]) => `${url}\n`).join(''));
		const why = await problem;
		if (why) process.stderr.write(`port: note: ${why}${mine[0]![2] ? `; direct: ${mine[0]![2]}` : ''}\n`);
		return ExitCode.ok;
	}
	if (rows.length === 0) {
		process.stderr.write(`port: no URLs for ${project.worktree} (no published ports, no host services)\n`);
		return ExitCode.ok;
	}
	const width = Math.max(...rows.map(([name]) => name.length)) + 2;
	const urlWidth = Math.max(...rows.map(([, url]) => url.length)) + 2;
	process.stdout.write(rows.map(([name, url, direct]) => (direct ? `${name.padEnd(width)}${url.padEnd(urlWidth)}direct: ${direct}\n` : `${name.padEnd(width)}${url}\n`)).join(''));
	const why = await problem;
	if (why) process.stderr.write(`port: note: ${why}: the URLs above do not work now${rows.some(r => r[2]) ? '; the direct ones do' : ''}\n`);
	if (!entry && routes.length > 0) process.stderr.write(`port: ${ctx.name} is not up; run 'port up' to start it\n`);
	return ExitCode.ok;
}
