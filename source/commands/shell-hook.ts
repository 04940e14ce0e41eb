import {ExitCode, UsageError} from '../core/errors.js';
import {parseCommand, positionals} from './parse.js';

export const spec = {
	name: 'shell-hook',
	usage: 'port shell-hook <bash|zsh|fish>',
	help: `
  Prints a shell function named port that runs the real port and, when port enter (or the
  port <branch> shorthand) names a worktree, changes into it; after port exit, port rename
  and port remove of the worktree you are in it changes to where they say. Add to your rc file:

    bash   eval "$(port shell-hook bash)"     (~/.bashrc)
    zsh    eval "$(port shell-hook zsh)"      (~/.zshrc)
    fish   port shell-hook fish | source      (~/.config/fish/config.fish)

  How it works: the function passes a temporary file in PORT_CD_FILE; port enter, exit,
  rename and remove write a directory there and the function cds to it after port exits
  successfully.
`,
	flags: {},
} as const;

const posix = `# port shell hook: lets 'port enter <branch>' / 'port <branch>' change directory.
port() {
  local __port_cd __port_rc
  __port_cd="$(mktemp "\${TMPDIR:-/tmp}/port-cd.XXXXXX")" || { command port "$@"; return $?; }
  PORT_CD_FILE="$__port_cd" command port "$@"
  __port_rc=$?
  if [ "$__port_rc" -eq 0 ] && [ -s "$__port_cd" ]; then
    cd -- "$(cat -- "$__port_cd")" || __port_rc=$?
  fi
  rm -f -- "$__port_cd"
  return "$__port_rc"
}
`;

const fish = `# port shell hook: lets 'port enter <branch>' / 'port <branch>' change directory.
function port --description 'port (changes directory on port enter)'
    set -l __port_cd (mktemp)
    or begin
        command port $argv
        return $status
    end
    set -lx PORT_CD_FILE $__port_cd
    command port $argv
    set -l __port_rc $status
    set -e PORT_CD_FILE
    if test $__port_rc -eq 0 -a -s $__port_cd
        cd (cat $__port_cd)
        or set __port_rc $status
    end
    rm -f $__port_cd
    return $__port_rc
end
`;

export const hooks: Record<string, string> = {bash: posix, zsh: posix, fish};

export default async function shellHook(argv: string[]): Promise<number> {
	const cli = await parseCommand(spec, argv);
	const usage = `Usage: ${spec.usage}`;
	const [shell] = positionals(spec, cli.input, 1, 'Missing shell name (bash, zsh or fish).') as [string];
	const hook = Object.hasOwn(hooks, shell) ? hooks[shell] : undefined;
	if (!hook) throw new UsageError(`Unsupported shell "${shell}": use bash, zsh or fish.`, usage);
	process.stdout.write(hook);
	return ExitCode.ok;
}
