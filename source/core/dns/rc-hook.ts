import path from 'node:path';
import {UsageError} from '../errors.js';
import {lazyRequire} from '../lazy.js';
import type {Markers} from './hosts-block.js';

/** The block `port install --shell-hook` adds to the user's shell rc file. */
export const rcMarkers: Markers = {start: '# >>> port shell hook (port install --shell-hook; port uninstall removes it) >>>', end: '# <<< port shell hook <<<'};

const home = () => (lazyRequire('node:os') as typeof import('node:os')).homedir();

/** The shell (from $SHELL), its rc file and the block: the cd hook and completion. */
export function rcHook(): {shell: string; file: string; block: string} {
	const shell = path.basename(process.env['SHELL'] ?? '');
	const lines: Record<string, [string, string[]]> = {
		bash: [path.join(home(), '.bashrc'), ['eval "$(port shell-hook bash)"', 'source <(port completion bash)']],
		zsh: [path.join(process.env['ZDOTDIR'] || home(), '.zshrc'), ['eval "$(port shell-hook zsh)"', 'source <(port completion zsh)']],
		fish: [path.join(home(), '.config', 'fish', 'config.fish'), ['port shell-hook fish | source', 'port completion fish | source']],
	};
	const found = Object.hasOwn(lines, shell) ? lines[shell] : undefined;
	if (!found) throw new UsageError(`--shell-hook: unknown shell "${shell || '(SHELL is not set)'}" (known: bash, zsh, fish).`, 'Add the line from port shell-hook --help to your rc file yourself.');
	return {shell, file: found[0], block: `${[rcMarkers.start, ...found[1], rcMarkers.end].join('\n')}\n`};
}
