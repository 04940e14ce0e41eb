import {ExitCode} from '../core/errors.js';
import {runDoctor} from '../core/doctor/run.js';
import {parseCommand, positionals} from './parse.js';

export const spec = {
	name: 'doctor',
	usage: 'port doctor [--json]',
	help: `
  Checks what port needs, one line per check (ok, warn or fail) with the fix: git repository
  and worktree, .port/config.jsonc, Docker CLI, engine, Compose version, Traefik image and
  container, every logical port (free, or Traefik's), DNS for a random <name>.<domain>, each
  host service (listening, answering through Traefik), stale registry entries, free disk.
  Exits 0 when nothing fails, 1 otherwise.

  Options
    --json   Print {"ok": boolean, "checks": [{"check", "status", "message", "fix"?}]}
`,
	flags: {json: {type: 'boolean', default: false}},
} as const;

export default async function doctor(argv: string[]): Promise<number> {
	const cli = await parseCommand(spec, argv);
	positionals(spec, cli.input, 0);
	const checks = await runDoctor();
	const failed = checks.some(c => c.status === 'fail');
	if (cli.flags.json) {
		process.stdout.write(`${JSON.stringify({ok: !failed, checks}, null, 2)}\n`);
	} else {
		const width = Math.max(...checks.map(c => c.check.length)) + 2;
		for (const c of checks) process.stdout.write(`${c.status.padEnd(4)} ${c.check.padEnd(width)}${c.message}${c.fix ? `  (fix: ${c.fix})` : ''}\n`);
	}
	return failed ? ExitCode.failure : ExitCode.ok;
}
