// Declared services (`services` in .port/config.jsonc): start one by name, or every one of a
// worktree that is not running, with its cwd, env and readiness grace like `port run` does.
import {readyGraceMsOf} from '../supervise/declared.js';
import type {StoreContext} from './context.js';
import type {HostActions} from './host-actions.js';
import {isLive} from './selectors.js';
import type {HostRow} from './types.js';

export interface DeclaredActions {
	launchDeclared(worktree: string, name: string): Promise<HostRow | undefined>;
	startDeclared(worktree?: string): Promise<void>;
}

export function createDeclaredActions(ctx: StoreContext, {launch}: Pick<HostActions, 'launch'>): DeclaredActions {
	const {deps, say, worktreeByName} = ctx;
	const {config} = deps.project;
	const services = () => config.services ?? {};

	const launchDeclared = async (worktree: string, name: string) => {
		const service = services()[name];
		if (!service) {
			say('error', `No service named ${name} is declared in .port/config.jsonc.`);
			return undefined;
		}
		return launch(worktree, service.port, service.command, {
			name,
			...(service.cwd ? {cwd: service.cwd} : {}),
			...(service.env ? {env: service.env} : {}),
			readyGraceMs: readyGraceMsOf(config, service),
		});
	};

	const startDeclared = async (name?: string) => {
		const tree = worktreeByName(name);
		if (!tree) return say('warn', 'Select a worktree (or one of its services) to start its declared services.', 'selection');
		const declared = Object.entries(services());
		if (declared.length === 0) return say('warn', 'No services are declared in .port/config.jsonc ("services"); a launches a command.', 'selection');
		const stopped = declared.filter(([, s]) => !tree.hosts.some(h => h.logicalPort === s.port && isLive(h.status)));
		if (stopped.length === 0) return say('info', `All declared services of ${tree.name} are running.`);
		// One after another: each launch returns once its child is spawned, not when it is ready.
		const started: string[] = [];
		for (const [serviceName] of stopped) if (await launchDeclared(tree.name, serviceName)) started.push(serviceName);
		ctx.store.setState({selected: tree.key});
		if (started.length > 0) say('info', `Started ${started.join(', ')} in ${tree.name}; their readiness shows in the list.`);
	};

	return {launchDeclared, startDeclared};
}
