import {lazyRequire} from './lazy.js';

export const shortHash = (value: string, length = 8) =>
	(lazyRequire('node:crypto') as typeof import('node:crypto')).createHash('sha256').update(value).digest('hex').slice(0, length);

const maxLabel = 63;
const cleanLabel = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * A worktree/branch name turned into one DNS label: lowercase `[a-z0-9-]`, no leading or
 * trailing `-`, at most 63 characters, never empty. Lossy names that would be empty or too
 * long get a hash of the original so that distinct inputs stay distinct.
 */
export function sanitizeName(raw: string): string {
	// Already a clean label (the usual case): skip the Unicode normalisation and regexes, which
	// cost start-up time on every command (bench/startup.mjs). Same result as the full path.
	if (raw.length <= maxLabel && cleanLabel.test(raw)) return raw;
	const cleaned = raw
		.normalize('NFKD')
		.replace(/\p{M}+/gu, '')
		.toLowerCase()
		.replace(/[^a-z0-9-]+/g, '-')
		.replace(/-{2,}/g, '-')
		.replace(/^-+|-+$/g, '');
	if (cleaned === '') return `wt-${shortHash(raw)}`;
	if (cleaned.length <= maxLabel) return cleaned;
	const head = cleaned.slice(0, maxLabel - 9).replace(/-+$/g, '');
	return `${head}-${shortHash(raw)}`;
}

const labelPattern = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export const isDnsLabel = (value: string) => labelPattern.test(value);

/** Returns why a domain is unusable, or undefined when it is fine (`port`, `localhost`, `dev.test`). */
export function domainProblem(domain: string): string | undefined {
	if (domain === '') return 'it is empty';
	if (/\s/.test(domain)) return 'it contains white space';
	if (domain !== domain.toLowerCase()) return 'it contains uppercase letters (use lowercase)';
	if (domain.endsWith('.')) return 'it ends with a dot';
	if (domain.startsWith('.')) return 'it starts with a dot';
	if (domain.length > 190) return 'it is longer than 190 characters';
	const bad = domain.split('.').find(label => !isDnsLabel(label));
	if (bad !== undefined) return `"${bad}" is not a valid DNS label (letters, digits and inner hyphens only)`;
	return undefined;
}

export const hostnameFor = (worktree: string, domain: string) => `${worktree}.${domain}`;

/**
 * Router, service and file name of a host service's route: unique per repository + worktree +
 * logical port, so two repositories with a `feature-1` worktree never collide. No `@` (Traefik
 * reserves it for provider suffixes).
 */
export const hostRouteName = (repoRoot: string, worktree: string, logicalPort: number) =>
	`host-${worktree}-${logicalPort}-${shortHash(repoRoot)}`;
