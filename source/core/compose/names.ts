import path from 'node:path';
import {sanitizeName, shortHash} from '../names.js';

/**
 * The names port gives a worktree's Compose resources: the Compose project, Traefik routers,
 * fixed container names. Each is unique per repository + worktree, so two repositories (or two
 * worktrees) never collide.
 */

/** A worktree of a repository: what every name below is made unique for. */
export type WorktreeOf = {repoRoot: string; worktree: string};

/**
 * `<repo>-<worktree>-<hash of the repo root>`: the `docker compose -p` name `port up` uses.
 * Readable, a valid Compose project name (`[a-z0-9][a-z0-9_-]*`), and distinct for two
 * repositories that share a name.
 */
export const composeProjectName = (repoRoot: string, worktree: string) =>
	`${sanitizeName(path.basename(repoRoot))}-${worktree}-${shortHash(repoRoot, 6)}`;

/** A Traefik-safe name part: `[a-z0-9-]`, with a hash when the original had to change. */
function slug(raw: string): string {
	const cleaned = raw.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
	return cleaned === raw ? raw : `${cleaned || 'x'}-${shortHash(raw, 4)}`;
}

/** Router and Traefik service name: unique per repository + worktree + service + port. */
export const routerName = (ctx: WorktreeOf, service: string, port: number) => `${ctx.worktree}-${slug(service)}-${port}-${shortHash(ctx.repoRoot)}`;

/**
 * A fixed container_name, made unique per repository + worktree: `db` -> `db-feature-a-1a2b3c`
 * (worktree, then a 6-hex hash of the repository path, as in the Compose project name), so two
 * repositories with `container_name: db` and a `feature-a` worktree never collide. Still a valid
 * container name: the worktree part is `[a-z0-9-]`, the hash hex.
 */
export const containerNameFor = (name: string, ctx: WorktreeOf) => `${name}-${ctx.worktree}-${shortHash(ctx.repoRoot, 6)}`;
