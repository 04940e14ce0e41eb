/**
 * The registry shape of the earlier `port` (and of the seed specification), still found in
 * users' `~/.port/registry.json`:
 *   projects:     [{repo, branch, ports}]
 *   hostServices: [{repo, branch, logicalPort, actualPort, pid, configFile}]
 * Such entries are read into the current shape (marked `legacy`) and written back exactly as
 * they were (toJSON returns the original object), so nothing of them is lost or rewritten.
 */
import path from 'node:path';
import {hostnameFor, sanitizeName, shortHash} from '../names.js';
import type {HostService, ProjectEntry} from './schema.js';

/** Never equal to a real start time: identity-checked signals (signalGroup) refuse it while the pid lives. */
export const legacyStartTime = 'unknown (registered by an older port)';
const defaultDomain = 'port';

const isPort = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65_535;
const isPid = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;
const isString = (v: unknown): v is string => typeof v === 'string';

/** JSON.stringify writes the original entry (unknown keys included), never the derived fields. */
function writesAs<T extends object>(entry: T, raw: Record<string, unknown>): T {
	Object.defineProperty(entry, 'toJSON', {value: () => raw, enumerable: false});
	return entry;
}

export function legacyHostService(v: Record<string, unknown>): HostService | undefined {
	const {repo, branch, logicalPort, actualPort, pid, configFile} = v;
	if (!isString(repo) || !isString(branch) || !isPort(logicalPort) || !isPort(actualPort) || !isPid(pid) || !isString(configFile)) return undefined;
	// A recorded command (not part of the old shape, but kept if present) is what `port kill` checks.
	const command = Array.isArray(v['command']) && v['command'].every(isString) ? (v['command'] as string[]) : [];
	const entry: HostService = {
		id: `legacy-${sanitizeName(branch)}-${logicalPort}-${pid}`,
		repo,
		branch,
		hostname: isString(v['hostname']) ? v['hostname'] : hostnameFor(branch, defaultDomain),
		logicalPort,
		actualPort,
		pid,
		pidStartTime: legacyStartTime,
		supervisorPid: 0,
		supervisorStartTime: legacyStartTime,
		owner: 'run',
		command,
		cwd: repo,
		logFile: '',
		configFile,
		routeName: path.basename(configFile, '.yml'),
		startedAt: '',
		legacy: true,
	};
	return writesAs(entry, v);
}

export function legacyProject(v: Record<string, unknown>): ProjectEntry | undefined {
	const {repo, branch, ports} = v;
	if (!isString(repo) || !isString(branch) || !Array.isArray(ports) || !ports.every(isPort)) return undefined;
	const entry: ProjectEntry = {
		repo,
		worktree: branch,
		path: repo,
		composeProject: '',
		domain: defaultDomain,
		ports,
		updatedAt: '',
		legacy: true,
	};
	// Same name `port up` gives it; computed on use (the hash loads node:crypto).
	Object.defineProperty(entry, 'composeProject', {get: () => `${sanitizeName(path.basename(repo))}-${branch}-${shortHash(repo, 6)}`, enumerable: true});
	return writesAs(entry, v);
}
