import type {Command, CommandName} from './names.js';

/**
 * Every subcommand, loaded lazily so a command only pays for what it uses (and only `port ui`
 * ever loads Ink and React).
 */
export const commands: Record<CommandName, () => Promise<{default: Command}>> = {
	run: () => import('./run.js'),
	init: () => import('./init.js'),
	list: () => import('./list.js'),
	kill: () => import('./kill.js'),
	enter: () => import('./enter.js'),
	'shell-hook': () => import('./shell-hook.js'),
	up: () => import('./up.js'),
	down: () => import('./down.js'),
	status: () => import('./status.js'),
	urls: () => import('./urls.js'),
	remove: () => import('./remove.js'),
	compose: () => import('./compose.js'),
	ui: () => import('./ui.js'),
	logs: () => import('./logs.js'),
	install: () => import('./install.js'),
	uninstall: () => import('./uninstall.js'),
	doctor: () => import('./doctor.js'),
	completion: () => import('./completion.js'),
};

export const commandSummaries: Array<[string, string]> = [
	['init', 'Set up .port/ in this repository'],
	['run <port> -- <cmd...>', 'Run a host process behind <worktree>.<domain>:<port>'],
	['run [name]', 'Run the services declared in .port/config.jsonc (all, or one)'],
	['list [--json]', 'List worktrees and host services'],
	['kill [port] [--all]', 'Stop host services of this worktree (or all)'],
	['enter <branch>', 'Print (and create) the worktree of <branch>; also: port <branch>'],
	['shell-hook <shell>', 'Print a bash/zsh/fish function so port enter can cd'],
	['up', "Start this worktree's Compose services behind Traefik"],
	['down [--yes]', "Stop this worktree's Compose services"],
	['status [--json]', 'Services, URLs and Traefik state of every worktree'],
	['urls [service]', 'URLs of this worktree'],
	['remove <branch> [flags]', 'Stop and remove a worktree, archive its branch'],
	['compose <args...>', "docker compose with this worktree's -p and -f flags"],
	['logs [name|port] [-f]', "Print (and follow) the logs of this worktree's host services"],
	['ui', 'Terminal dashboard: every worktree, its services and live logs'],
	['install [--dry-run]', 'Make *.<domain> resolve to 127.0.0.1 on this machine'],
	['uninstall [--dry-run]', 'Remove exactly what port install added'],
	['doctor [--json]', 'Check git, config, Docker, Traefik, ports and DNS'],
	['completion <shell>', 'Print a bash/zsh/fish completion script'],
];
