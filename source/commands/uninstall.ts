import {ExitCode} from '../core/errors.js';
import {applyUninstall} from '../core/dns/install.js';
import {commandNeedsElevation, writable, type Ops} from '../core/dns/ops.js';
import {readDnsState} from '../core/dns/state.js';
import {elevateCommand} from '../core/dns/system.js';
import {askToElevate} from './install.js';
import {parseCommand, positionals} from './parse.js';

export const spec = {
	name: 'uninstall',
	usage: 'port uninstall [--dry-run] [--yes]',
	help: `
  Removes exactly what port install added (recorded in $PORT_HOME/dns/install.json): the files
  it wrote (a file that existed before gets its old content back), the directories it created
  (when empty), the hosts-file block, and it undoes the service commands it ran.

  Options
    --dry-run   Print what it would remove and run; change nothing
    --yes       Do not ask before running sudo (PORT_ELEVATE)
`,
	flags: {dryRun: {type: 'boolean', default: false}, yes: {type: 'boolean', default: false}},
} as const;

export default async function uninstall(argv: string[]): Promise<number> {
	const cli = await parseCommand(spec, argv);
	positionals(spec, cli.input, 0);
	const state = readDnsState();
	if (!state) {
		process.stdout.write('port: nothing to uninstall (port install has not run, or was undone)\n');
		return ExitCode.ok;
	}
	const say = (line: string) => process.stdout.write(`  ${line}\n`);
	process.stdout.write(`port uninstall${cli.flags.dryRun ? ' (dry run)' : ''}: *.${state.domain}, ${state.mode} mode\n`);
	if (!cli.flags.dryRun) {
		const files = [...state.files.map(f => f.path), ...(state.hosts ? [state.hosts.path] : [])].filter(file => !writable(file));
		const commands = commandNeedsElevation() ? state.undo.map(u => u.argv.join(' ')) : [];
		await askToElevate([...files.map(file => `write ${file}`), ...commands], cli.flags.yes, 'uninstall');
	}
	const ops: Ops = {dryRun: cli.flags.dryRun, elevate: elevateCommand(), say};
	applyUninstall(ops);
	process.stdout.write(cli.flags.dryRun ? 'Nothing was changed (dry run).\n' : `port: removed what port install added for *.${state.domain}\n`);
	return ExitCode.ok;
}
