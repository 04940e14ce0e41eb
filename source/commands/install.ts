import {ExitCode, PortError, UsageError} from '../core/errors.js';
import {applyInstall, verifyInstall} from '../core/dns/install.js';
import {commandNeedsElevation, writable, type Ops} from '../core/dns/ops.js';
import {buildPlan, detectMode, dnsModes, type Plan} from '../core/dns/plan.js';
import {elevateCommand} from '../core/dns/system.js';
import {rcHook} from '../core/dns/rc-hook.js';
import {domainProblem} from '../core/names.js';
import {detectProject} from '../core/git/project.js';
import {parseCommand, positionals} from './parse.js';
import {confirm} from './prompt.js';

export const spec = {
	name: 'install',
	usage: 'port install [--dry-run] [--domain <domain>] [--mode <mode>] [--yes] [--shell-hook]',
	help: `
  Makes *.<domain> resolve to 127.0.0.1 on this machine, the best way the OS offers:
    resolver         macOS: /etc/resolver/<domain> and a dnsmasq from Homebrew (launchd)
    resolved         Linux with systemd-resolved: a dnsmasq unit and a resolved drop-in
    networkmanager   Linux with NetworkManager: dns=dnsmasq and a dnsmasq.d entry
    hosts            otherwise: a managed block in /etc/hosts that port keeps in sync with
                     the worktree hostnames (port enter, remove, run, up update it)
  Then checks the result by resolving a random name. Undo it with port uninstall.

  Options
    --dry-run         Print every file it would write and command it would run; change nothing
    --domain <name>   The domain (default: this project's domain, else "port")
    --mode <mode>     resolver, resolved, networkmanager or hosts (default: detected)
    --yes             Do not ask before running sudo (PORT_ELEVATE)
    --shell-hook      Also add the shell hook and completion to your shell's rc file
                      (~/.bashrc, ~/.zshrc or ~/.config/fish/config.fish, from $SHELL)
`,
	flags: {
		dryRun: {type: 'boolean', default: false},
		domain: {type: 'string'},
		mode: {type: 'string'},
		yes: {type: 'boolean', default: false},
		shellHook: {type: 'boolean', default: false},
	},
} as const;

/** The domain to set up: --domain, else the project's, else the default. */
export function chosenDomain(flag: string | undefined): string {
	const domain = flag ?? detectProject(process.cwd(), {allowNameClash: true})?.config.domain ?? 'port';
	const problem = domainProblem(domain);
	if (problem) throw new UsageError(`Domain "${domain}" is invalid: ${problem}.`, `Usage: ${spec.usage}`);
	return domain;
}

/** Steps that need root, as the user will see them. */
function elevatedSteps(plan: Plan): string[] {
	return plan.steps.flatMap(step => {
		if (step.kind === 'run') return commandNeedsElevation() ? [step.argv.join(' ')] : [];
		return writable(step.path) ? [] : [`write ${step.path}`];
	});
}

export async function askToElevate(what: string[], yes: boolean, command: string): Promise<void> {
	const elevate = elevateCommand();
	if (what.length === 0 || elevate.length === 0 || yes) return;
	const question = `port ${command} runs ${elevate.join(' ')} for: ${what.join('; ')}. Continue? [y/N] `;
	if (!process.stdin.isTTY) throw new PortError(`port ${command} needs ${elevate.join(' ')} (${what[0]}${what.length > 1 ? ', ...' : ''}).`, ExitCode.failure, `Run it in a terminal to be asked, or add --yes.`);
	if (!(await confirm(question))) throw new PortError('Nothing changed.', ExitCode.failure);
}

export default async function install(argv: string[]): Promise<number> {
	const cli = await parseCommand(spec, argv);
	positionals(spec, cli.input, 0);
	const domain = chosenDomain(cli.flags.domain);
	const mode = cli.flags.mode as (typeof dnsModes)[number] | undefined;
	if (mode !== undefined && !dnsModes.includes(mode)) throw new UsageError(`Unknown mode "${mode}" (known: ${dnsModes.join(', ')}).`, `Usage: ${spec.usage}`);
	if (domain === 'localhost' && !cli.flags.shellHook) {
		process.stdout.write('*.localhost already resolves to 127.0.0.1; nothing to install.\n');
		return ExitCode.ok;
	}
	const detected = domain === 'localhost' ? {mode: 'none' as const, why: '*.localhost resolves without setup'} : mode ? {mode, why: 'chosen with --mode'} : detectMode();
	const plan = buildPlan(detected.mode, domain, detected.why);
	if (cli.flags.shellHook) {
		const hook = rcHook();
		plan.steps.push({kind: 'rc', path: hook.file, block: hook.block});
	}
	const say = (line: string) => process.stdout.write(`  ${line}\n`);
	const ops: Ops = {dryRun: cli.flags.dryRun, elevate: elevateCommand(), say};
	process.stdout.write(`port install${ops.dryRun ? ' (dry run)' : ''}: *.${domain} -> 127.0.0.1, ${plan.mode} mode (${plan.why})\n`);
	if (ops.dryRun) {
		applyInstall(plan, ops);
		process.stdout.write('Nothing was changed (dry run).\n');
		return ExitCode.ok;
	}
	await askToElevate(elevatedSteps(plan), cli.flags.yes, 'install');
	const state = applyInstall(plan, ops);
	for (const file of state.files) say(`wrote ${file.path}`);
	if (state.hosts) say(`managed block in ${state.hosts.path}`);
	if (state.rc) say(`shell hook in ${state.rc.path} (open a new shell to use it)`);
	const check = await verifyInstall(state);
	if (!check.ok) {
		throw new PortError(`Installed, but ${check.name} does not resolve to 127.0.0.1 yet.`, ExitCode.failure, "Run 'port doctor' for details; 'port uninstall' undoes the install.");
	}
	process.stdout.write(`port: ${check.name} resolves to 127.0.0.1; undo with port uninstall\n`);
	return ExitCode.ok;
}
