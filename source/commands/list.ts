import {detectProject, listWorktrees} from '../core/project.js';
import {readRegistry, type HostService} from '../core/registry.js';
import {childAlive, cleanupStale, supervisorAlive} from '../core/stale.js';
import {ExitCode} from '../core/errors.js';
import {writeStdout} from '../core/output.js';
import {readinessText} from '../core/supervise/readiness.js';
import {parseCommand} from './parse.js';

export const spec = {
	name: 'list',
	usage: 'port list [--json]',
	help: `
  Lists the worktrees of this repository and the host services of every repository
  (this one first). Dead services are cleaned up first.

  Options
    --json   Print {"worktrees": [...], "hostServices": [...]}
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
	const cli = parseCommand(spec, argv);
	cleanupStale();
	const project = detectProject();
	const worktrees = project ? listWorktrees(project.repoRoot).map(w => ({...w, current: w.path === project.worktreePath})) : [];
	const services = readRegistry()
		.hostServices.flatMap(s => {
			// Each liveness check reads /proc; two per service, reused for both questions.
			const child = childAlive(s);
			const supervisor = supervisorAlive(s);
			if (!child && !supervisor) return []; // dead but not cleaned up (the disk is full or read-only)
			return [{...s, status: statusOf(child, supervisor), current: s.repo === project?.repoRoot}];
		})
		.sort((a, b) => Number(b.current) - Number(a.current) || byCodeUnit(a.repo, b.repo) || byCodeUnit(a.branch, b.branch) || a.logicalPort - b.logicalPort);

	if (cli.flags.json) {
		writeStdout(`${JSON.stringify({worktrees, hostServices: services.map(({current: _, ...s}) => s)}, null, 2)}\n`);
		return ExitCode.ok;
	}
	const out: string[] = [];
	if (project) {
		out.push(`Worktrees of ${project.repoRoot}`);
		for (const w of worktrees) out.push(`  ${w.current ? '*' : ' '} ${w.name.padEnd(24)} ${w.branch ?? '(detached)'}`);
	} else {
		out.push('Not inside a git repository: listing host services only.');
	}
	out.push('', services.length === 0 ? 'No host services running.' : 'Host services');
	let lastRepo: string | undefined;
	for (const s of services) {
		if (s.repo !== lastRepo) out.push(`  ${s.repo}`);
		lastRepo = s.repo;
		const note =
			s.status === 'orphaned'
				? s.owner === 'ui'
					? '  [left running by port ui; port kill stops it]'
					: '  [orphaned: its port run was killed; port kill stops it]'
				: s.owner === 'ui'
					? '  [port ui]'
					: '';
		const ready = readinessText(s.readiness, s.actualPort);
		out.push(`    ${s.branch}:${s.logicalPort} -> localhost:${s.actualPort} (pid ${s.pid})  http://${s.hostname}:${s.logicalPort}${ready ? `  ${ready}` : ''}${note}`);
	}
	writeStdout(`${out.join('\n')}\n`);
	return ExitCode.ok;
}
