// `compose up` / `compose down` for a worktree, with their output in the worktree's log.
import path from 'node:path';
import {runStreaming, type StreamResult} from './docker-snapshot.js';
import {portHome} from '../paths.js';
import type {StoreContext, WithBusy} from './context.js';
import type {WorktreeRow} from './types.js';

export type RunCompose = (direction: 'up' | 'down', name?: string) => Promise<void>;

export function createComposeActions(ctx: StoreContext, {withBusy, pollDocker}: {withBusy: WithBusy; pollDocker(): Promise<void>}): RunCompose {
	const {deps, ingest, say, worktreeByName} = ctx;
	const {project} = deps;

	const defaultCompose = (direction: 'up' | 'down', tree: WorktreeRow, onText: (text: string) => void): Promise<StreamResult> => {
		if (deps.cli && deps.cli.length > 0) {
			const [file, ...args] = deps.cli;
			// No --yes for down: host services are the dashboard's to stop, not compose down's.
			return runStreaming(file!, [...args, direction], tree.path, onText, {PORT_HOME: portHome()});
		}
		const composeFile = path.join(tree.path, project.config.compose);
		const args = ['compose', '-p', tree.composeProject, '-f', composeFile, ...(direction === 'up' ? ['up', '-d'] : ['down'])];
		return runStreaming('docker', args, tree.path, onText);
	};

	return async (direction, name) => {
		const tree = worktreeByName(name);
		if (!tree) return say('warn', 'Select a worktree first.', 'selection');
		const key = tree.key;
		ingest(key, `\u001B[1m$ compose ${direction} (${tree.name})\u001B[0m\n`);
		await withBusy(key, `compose ${direction}…`, async () => {
			const result = await (deps.compose ?? defaultCompose)(direction, tree, text => ingest(key, text));
			ingest(key, `\u001B[2m[exit ${result.exitCode}]\u001B[0m\n`);
			if (result.ok) say('info', `compose ${direction} ${tree.name}: done${result.lastLine ? ` (${result.lastLine})` : ''}`);
			else say('error', `compose ${direction} ${tree.name} failed: ${result.lastLine || `exit code ${result.exitCode}`}`);
			await pollDocker();
		});
	};
}
