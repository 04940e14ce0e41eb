import path from 'node:path';
import {hostnameFor} from '../names.js';
import type {Project} from '../git/project.js';
import {composeProjectName} from './names.js';

/** Everything a compose call for one worktree needs: its files, names and settings. */
export interface ComposeContext {
	repoRoot: string;
	worktree: string;
	worktreePath: string;
	domain: string;
	composeFile: string;
	overrideFile: string;
	/** `docker compose -p` name: unique per repository and worktree. */
	name: string;
	hostname: string;
	/** `"lan": true` in .port/config.jsonc: routed ports listen beyond loopback. */
	lan: boolean;
	/** `"ports"` of .port/config.jsonc: protocol overrides per published port. */
	protocols: Record<string, 'http' | 'tcp'>;
}

export const overrideFileFor = (worktreePath: string) => path.join(worktreePath, '.port', 'override.yml');

export function composeContext(project: Pick<Project, 'repoRoot' | 'worktree' | 'worktreePath' | 'config'>): ComposeContext {
	return {
		repoRoot: project.repoRoot,
		worktree: project.worktree,
		worktreePath: project.worktreePath,
		domain: project.config.domain,
		composeFile: path.resolve(project.worktreePath, project.config.compose),
		overrideFile: overrideFileFor(project.worktreePath),
		name: composeProjectName(project.repoRoot, project.worktree),
		hostname: hostnameFor(project.worktree, project.config.domain),
		lan: project.config.lan,
		protocols: project.config.ports,
	};
}

/** `compose -p <name> -f <compose> -f <override>`: the flags every compose call of a worktree uses. */
export const composeArgs = (ctx: ComposeContext) => ['compose', '-p', ctx.name, '-f', ctx.composeFile, '-f', ctx.overrideFile];
