import {ExitCode} from '../core/errors.js';
import {collectStatus} from '../core/compose/status.js';
import {detectProject} from '../core/git/project.js';
import {cleanupStale} from '../core/supervise/stale.js';
import {parseCommand, positionals} from './parse.js';

export const spec = {
	name: 'status',
	usage: 'port status [--json]',
	help: `
  For every worktree of this repository (outside a repository: every registered project):
  its Compose services with state and URLs, its host services, and Traefik's state.

  Options
    --json   Print {"traefik": {...}, "docker": {...}, "worktrees": [...]}
`,
	flags: {json: {type: 'boolean', default: false}},
} as const;

export default async function status(argv: string[]): Promise<number> {
	const cli = await parseCommand(spec, argv);
	positionals(spec, cli.input, 0);
	cleanupStale();
	const project = detectProject();
	const report = await collectStatus(project);
	if (cli.flags.json) {
		process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
		return ExitCode.ok;
	}
	const out: string[] = [];
	const t = report.traefik;
	out.push(`Traefik: ${t.state}${t.state === 'unavailable' ? ` (${t.reason})` : ''}`);
	if (!project) out.push('Not inside a git repository: showing every registered project.');
	if (report.worktrees.length === 0) out.push('Nothing registered.');
	for (const w of report.worktrees) {
		out.push('', `${w.current ? '*' : ' '} ${w.worktree}  ${w.branch ?? ''}  ${w.path}`.trimEnd());
		out.push(`    compose project ${w.composeProject}${w.up ? '' : ' (not up)'}`);
		if (w.error) out.push(`    compose state unknown: ${w.error}`);
		for (const s of w.services) out.push(`    ${s.service.padEnd(16)} ${s.state.padEnd(10)} ${[...s.urls, ...s.tcp.map(t => `${t}  (tcp)`)].join('  ')}`.trimEnd());
		for (const h of w.hostServices) out.push(`    ${`host:${h.logicalPort}`.padEnd(16)} ${(h.readiness ?? 'running').padEnd(10)} ${h.url}  (direct ${h.direct}, pid ${h.pid})`);
		if (!w.error && w.services.length === 0 && w.hostServices.length === 0) out.push('    no services');
	}
	process.stdout.write(`${out.join('\n')}\n`);
	return ExitCode.ok;
}
