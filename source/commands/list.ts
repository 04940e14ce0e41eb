import path from 'node:path';
import {detectProject, listWorktrees, nameClash} from '../core/git/project.js';
import {treesDir} from '../core/paths.js';
import {readRegistry, type HostService} from '../core/registry/registry.js';
import {childAlive, cleanupStale, registryFacts, supervisorAlive} from '../core/supervise/stale.js';
import {ExitCode} from '../core/errors.js';
import {writeStdout} from '../core/output.js';
import {readinessText} from '../core/supervise/readiness.js';
import {parseCommand} from './parse.js';

export const spec = {
	name: 'list',
	usage: 'port list [--json]',
	help: `
  Lists the worktrees of this repository, the host services and the projects started with
  port up of every repository (this one first). Dead services are cleaned up first.

  Options
    --json   Print {"worktrees": [...], "hostServices": [...], "projects": [...]}
`,
	flags: {json: {type: 'boolean', default: false}},
} as const;

/** Plain code-unit order: localeCompare would load ICU's collator, several ms of start-up. */
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export type ServiceStatus = 'running' | 'orphaned';

/** Running: child and supervisor alive; orphaned: the supervisor was killed, the child still serves. */
const statusOf = (child: boolean, supervisor: boolean): ServiceStatus => (supervisor || !child ? 'running' : 'orphaned');
export const serviceStatus = (s: HostService): ServiceStatus => statusOf(childAlive(s), supervisorAlive(s));

export default async function list(argv: string[]): Promise<number> {
	const cli = await parseCommand(spec, argv);
	// A worktree whose name another checkout takes is listed (with a note), not refused.
	const project = detectProject(process.cwd(), {allowNameClash: true});
	cleanupStale();
	const trees = project ? listWorktrees(project.repoRoot) : [];
	const worktrees = trees.map(w => ({...w, current: w.path === project!.worktreePath}));
	const registry = readRegistry();
	const facts = registryFacts(registry); // one pass for every pid (one ps on macOS)
	const projects = registry.projects
		.map(p => ({...p, current: p.repo === project?.repoRoot}))
		.sort((a, b) => Number(b.current) - Number(a.current) || byCodeUnit(a.repo, b.repo) || byCodeUnit(a.worktree, b.worktree));
	const services = registry.hostServices
		.flatMap(s => {
			const child = childAlive(s, facts);
			const supervisor = supervisorAlive(s, facts);
			if (!child && !supervisor) return []; // dead but not cleaned up (the disk is full or read-only)
			return [{...s, status: statusOf(child, supervisor), current: s.repo === project?.repoRoot}];
		})
		.sort((a, b) => Number(b.current) - Number(a.current) || byCodeUnit(a.repo, b.repo) || byCodeUnit(a.branch, b.branch) || a.logicalPort - b.logicalPort);

	if (cli.flags.json) {
		const strip = <T extends {current: boolean}>({current: _, ...rest}: T) => rest;
		writeStdout(`${JSON.stringify({worktrees, hostServices: services.map(strip), projects: projects.map(strip)}, null, 2)}\n`);
		return ExitCode.ok;
	}
	const out: string[] = [];
	if (project) {
		out.push(`Worktrees of ${project.repoRoot}`);
		for (const w of worktrees) {
			// Where a worktree lives is worth a word only when port did not put it in .port/trees/.
			const where = w.isMain || path.dirname(w.path) === treesDir(project.repoRoot) ? '' : `  ${w.path}`;
			const clash = nameClash(project.repoRoot, trees, w);
			const note = clash ? `  [name taken by ${clash.path}: port refuses to act here; git worktree move it]` : '';
			out.push(`  ${w.current ? '*' : ' '} ${w.name.padEnd(24)} ${w.branch ?? '(detached)'}${where}${note}`);
		}
	} else {
		out.push('Not inside a git repository: listing host services only.');
	}
	out.push('', services.length === 0 ? 'No host services running.' : 'Host services');
	let lastRepo: string | undefined;
	for (const s of services) {
		if (s.repo !== lastRepo) out.push(`  ${s.repo}`);
		lastRepo = s.repo;
		const note = s.legacy
			? `  [from an older port; ${s.command.length === 0 ? 'its command is unknown, so port kill leaves it running' : 'port kill stops it while its command line matches'}]`
			: s.status === 'orphaned'
				? s.owner === 'ui'
					? '  [left running by port ui; port kill stops it]'
					: '  [orphaned: its port run was killed; port kill stops it]'
				: s.owner === 'ui'
					? '  [port ui]'
					: '';
		const ready = readinessText(s.readiness, s.actualPort);
		out.push(`    ${s.branch}:${s.logicalPort} -> localhost:${s.actualPort} (pid ${s.pid})  http://${s.hostname}:${s.logicalPort}${ready ? `  ${ready}` : ''}${note}`);
	}
	if (projects.length > 0) out.push('', 'Projects (port up)');
	lastRepo = undefined;
	for (const p of projects) {
		if (p.repo !== lastRepo) out.push(`  ${p.repo}`);
		lastRepo = p.repo;
		out.push(`    ${p.worktree}: ${p.ports.length === 0 ? 'no routed ports' : `ports ${p.ports.join(', ')}`}${p.legacy ? '  [from an older port]' : ''}`);
	}
	writeStdout(`${out.join('\n')}\n`);
	return ExitCode.ok;
}
