import type {Project} from '../git/project.js';
import type {Registry} from '../registry/registry.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of `port doctor`: what was checked, what was found, and how to fix it. */
export interface CheckResult {
	check: string;
	status: CheckStatus;
	message: string;
	fix?: string;
}

/** What every check may look at, gathered once. */
export interface DoctorContext {
	/** Undefined outside a git repository, or when the config is broken (`configError`). */
	project: Project | undefined;
	configError?: string;
	registry: Registry;
	/** The domain names are checked under: the project's, else the installed one, else "port". */
	domain: string;
	/** Set by the Docker checks: later checks skip what needs an engine. */
	engine: boolean;
	/** Set by the Docker checks: Traefik runs (its entrypoints are then its own). */
	traefikRunning: boolean;
}

export const ok = (check: string, message: string): CheckResult => ({check, status: 'ok', message});
export const warnAt = (check: string, message: string, fix?: string): CheckResult => ({check, status: 'warn', message, ...(fix ? {fix} : {})});
export const fail = (check: string, message: string, fix: string): CheckResult => ({check, status: 'fail', message, fix});
