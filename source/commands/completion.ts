import {ExitCode, UsageError} from '../core/errors.js';
import {composeContext} from '../core/compose/context.js';
import {planFor} from '../core/compose/override-file.js';
import {hostServicesOf} from '../core/compose/registered.js';
import {detectProject} from '../core/git/project.js';
import {readRegistry} from '../core/registry/registry.js';
import {readComposeFile} from '../core/compose/compose-file.js';
import {commandAliases, commandNames} from './names.js';
import {parseCommand, positionals} from './parse.js';

export const spec = {
	name: 'completion',
	usage: 'port completion <bash|zsh|fish>',
	help: `
  Prints a completion script: commands, their flags, branch names for enter/remove (and the
  port <branch> shorthand), declared service names and logical ports for run/logs, compose
  service names and host:<port> for urls, logical ports for kill.

  Examples
    $ source <(port completion bash)           # in ~/.bashrc
    $ source <(port completion zsh)            # in ~/.zshrc, after compinit
    $ port completion fish > ~/.config/fish/completions/port.fish
`,
	flags: {},
} as const;

/** Each command's flags (test/completion.test.ts checks this against every command's spec). */
export const commandFlags: Record<string, string[]> = {
	run: ['--replace', '--no-inject'],
	list: ['--json'],
	kill: ['--all'],
	down: ['--yes'],
	status: ['--json'],
	remove: ['--force', '--keep-branch', '--yes'],
	prune: ['--dry-run', '--yes', '--base'],
	cleanup: ['--dry-run', '--yes', '--force'],
	rename: ['--yes'],
	hook: ['--list'],
	install: ['--dry-run', '--domain', '--mode', '--yes', '--shell-hook'],
	uninstall: ['--dry-run', '--yes'],
	doctor: ['--json'],
	logs: ['--follow', '--lines'],
};

/** What a word after a command completes to: a shell snippet printing candidates, one per line. */
const branches = `git for-each-ref --format='%(refname:short)' refs/heads 2>/dev/null`;
const dynamic: Array<[string[], string]> = [
	[['enter', 'remove'], branches],
	[['prune'], branches],
	[['run', 'logs'], 'port completion __host 2>/dev/null'],
	[['kill'], 'port completion __ports 2>/dev/null'],
	[['urls'], 'port completion __services 2>/dev/null'],
	[['up', 'down'], 'port completion __compose 2>/dev/null'],
	[['hook'], 'printf "%s\\n" post-create post-up'],
	[['shell-hook', 'completion'], 'printf "%s\\n" bash zsh fish'],
	[['install'], 'printf "%s\\n" resolver resolved networkmanager hosts'],
];

// From names.ts, not index.ts: index.ts loads this module (no import circle).
/** A command and its aliases (remove, rm): they complete alike. */
const withAliases = (cmd: string) => [cmd, ...Object.keys(commandAliases).filter(alias => commandAliases[alias] === cmd)];
const flagTable = () => Object.entries(commandFlags).map(([cmd, flags]) => [withAliases(cmd), flags] as const);
const dynamicTable = () => dynamic.map(([cmds, run]) => [cmds.flatMap(withAliases), run] as const);

const names = () => [...commandNames, ...Object.keys(commandAliases)].sort();

function bash(): string {
	const cases = dynamicTable().map(([cmds, run]) => `      ${cmds.join('|')}) words="$(${run})";;`);
	const flagCases = flagTable().map(([cmds, flags]) => `      ${cmds.join('|')}) words="$words ${flags.join(' ')}";;`);
	return `# port completion for bash. Load with: source <(port completion bash)
_port_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmd="\${COMP_WORDS[1]}" words=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    words="${names().join(' ')} --help --version $(${branches})"
  else
    case "$cmd" in
${cases.join('\n')}
    esac
    case "$cmd" in
${flagCases.join('\n')}
    esac
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _port_complete port
`;
}

function zsh(): string {
	const cases = dynamicTable().map(([cmds, run]) => `    (${cmds.join('|')}) candidates=(\${(f)"$(${run})"}) ;;`);
	const flagCases = flagTable().map(([cmds, flags]) => `    (${cmds.join('|')}) candidates+=(${flags.join(' ')}) ;;`);
	return `#compdef port
# port completion for zsh. Load with: source <(port completion zsh)   (after compinit)
_port() {
  local -a candidates
  if (( CURRENT == 2 )); then
    candidates=(${names().join(' ')} \${(f)"$(${branches})"})
  else
    case $words[2] in
${cases.join('\n')}
    esac
    case $words[2] in
${flagCases.join('\n')}
    esac
  fi
  compadd -a candidates
}
if (( $+functions[compdef] )); then compdef _port port; fi
`;
}

function fish(): string {
	const lines = ['# port completion for fish. Load with: port completion fish | source', 'complete -c port -f'];
	lines.push(`complete -c port -n __fish_use_subcommand -a '${names().join(' ')}'`);
	lines.push(`complete -c port -n __fish_use_subcommand -a '(${branches})'`);
	for (const [cmds, run] of dynamicTable()) lines.push(`complete -c port -n '__fish_seen_subcommand_from ${cmds.join(' ')}' -a '(${run.replaceAll("'", "\\'")})'`);
	for (const [cmds, flags] of flagTable()) {
		for (const flag of flags) lines.push(`complete -c port -n '__fish_seen_subcommand_from ${cmds.join(' ')}' -l ${flag.slice(2)}`);
	}
	return `${lines.join('\n')}\n`;
}

type Kind = '__services' | '__ports' | '__compose' | '__host';
const kinds: readonly string[] = ['__services', '__ports', '__compose', '__host'] satisfies Kind[];

/**
 * Hidden helpers the scripts call, for this worktree: `__host` declared service names and
 * logical ports (what `port run` and `port logs` take), `__services` compose service names and
 * host:<port> (`port urls`), `__ports` logical ports, `__compose` compose service names.
 */
function candidates(what: Kind): string[] {
	const project = detectProject(process.cwd(), {allowNameClash: true});
	if (!project) return [];
	if (what === '__host') {
		const declared = Object.entries(project.config.services ?? {});
		const running = hostServicesOf(readRegistry(), project.repoRoot, project.worktree).map(s => s.logicalPort);
		const ports = [...new Set([...declared.map(([, d]) => d.port), ...running])].sort((a, b) => a - b);
		return [...declared.map(([name]) => name).sort(), ...ports.map(String)];
	}
	let routes: Array<{service: string; published: number}> = [];
	let tcp: Array<{service: string; published: number}> = [];
	try {
		({routes, tcp} = planFor(composeContext(project)));
	} catch {
		// no compose file: host services only
	}
	const hosts = hostServicesOf(readRegistry(), project.repoRoot, project.worktree);
	if (what === '__compose') {
		try {
			return readComposeFile(composeContext(project).composeFile).services.map(svc => svc.name);
		} catch {
			return [];
		}
	}
	if (what === '__services') return [...new Set([...routes, ...tcp].map(r => r.service).sort()), ...hosts.map(s => `host:${s.logicalPort}`)];
	return [...new Set([...routes.map(r => String(r.published)), ...hosts.map(s => String(s.logicalPort))])];
}

export default async function completion(argv: string[]): Promise<number> {
	const cli = await parseCommand(spec, argv);
	const [shell] = positionals(spec, cli.input, 1, 'Missing <shell> (bash, zsh or fish).');
	if (kinds.includes(shell!)) {
		try {
			process.stdout.write(candidates(shell as Kind).map(c => `${c}\n`).join(''));
		} catch {
			// completion must stay quiet
		}
		return ExitCode.ok;
	}
	const script = {bash, zsh, fish}[shell as 'bash' | 'zsh' | 'fish'];
	if (!script || !Object.hasOwn({bash, zsh, fish}, shell!)) throw new UsageError(`Unknown shell "${shell}" (known: bash, zsh, fish).`, `Usage: ${spec.usage}`);
	process.stdout.write(script());
	return ExitCode.ok;
}
