import {existsSync} from 'node:fs';
import path from 'node:path';
import {hostnameFor} from '../names.js';
import type {Project} from '../git/project.js';
import {composeFilesFor, userOverrideFileFor} from './files.js';
import {composeProjectName} from './names.js';

/** Everything a compose call for one worktree needs: its files, names and settings. */
export interface ComposeContext {
	repoRoot: string;
	worktree: string;
	worktreePath: string;
	domain: string;
	/** The main compose file: the first of `composeFiles`. */
	composeFile: string;
	/** Every file a plain `docker compose` would load here (files.ts), main file first. */
	composeFiles: string[];
	overrideFile: string;
	/** `.port/override-compose.yml`: the user's layer, passed after ours when it exists. */
	userOverrideFile: string;
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
	const files = composeFilesFor(project.worktreePath, project.config.compose);
	return {
		repoRoot: project.repoRoot,
		worktree: project.worktree,
		worktreePath: project.worktreePath,
		domain: project.config.domain,
		composeFile: files[0]!,
		composeFiles: files,
		overrideFile: overrideFileFor(project.worktreePath),
		userOverrideFile: userOverrideFileFor(project.worktreePath),
		name: composeProjectName(project.repoRoot, project.worktree),
		hostname: hostnameFor(project.worktree, project.config.domain),
		lan: project.config.lan,
		protocols: project.config.ports,
	};
}

/** `compose -p <name> -f <file>...`: the user's files only (for `config`, which resolves the model). */
export const userComposeArgs = (ctx: ComposeContext) => ['compose', '-p', ctx.name, ...ctx.composeFiles.flatMap(f => ['-f', f])];

/** The flags every compose call of a worktree uses: the user's files, our override, then the user's layer. */
export const composeArgs = (ctx: ComposeContext) => [
	...userComposeArgs(ctx),
	'-f',
	ctx.overrideFile,
	...(existsSync(ctx.userOverrideFile) ? ['-f', ctx.userOverrideFile] : []),
];
