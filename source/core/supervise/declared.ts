import {statSync} from 'node:fs';
import path from 'node:path';
import {splitCommand} from '../dashboard/command-line.js';
import {ExitCode, PortError} from '../errors.js';
import {defaultReadyGraceMs} from './readiness.js';

/** One entry of `services` in .port/config.jsonc. */
export interface DeclaredService {
	/** The logical port it is routed on (`<worktree>.<domain>:<port>`). */
	port: number;
	/** Words to spawn; a string with shell syntax becomes `sh -c <string>`. */
	command: string[];
	/** Relative to the worktree root. */
	cwd?: string;
	env?: Record<string, string>;
	/** Seconds before "not listening" is reported for it. */
	readyGrace?: number;
}

const serviceKeys = ['port', 'command', 'cwd', 'env', 'readyGrace'];
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Shell syntax a plain word split would get wrong: then the string runs under `sh -c`. */
const needsShell = /[&|;<>$`()*?\\]|^\s*\w+=/;

/** A name usable on the command line (`port run web`) and as an env suffix; never all digits (a port). */
export const serviceNameProblem = (name: string) =>
	!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name) ? 'use letters, digits, - and _' : /^\d+$/.test(name) ? 'a name cannot be all digits (that reads as a port)' : undefined;

/** Seconds > 0 (a number), or undefined. */
export function parseGrace(raw: unknown, where: string): number | undefined {
	if (raw === undefined) return undefined;
	if (typeof raw !== 'number' || !Number.isFinite(raw) || raw <= 0 || raw > 3600) {
		throw new PortError(`${where}: "readyGrace" must be a number of seconds from 0 to 3600, got ${JSON.stringify(raw)}`, ExitCode.config);
	}
	return raw;
}

/** Validates the `services` section; every problem is one line naming the file and the service. */
export function parseServices(raw: unknown, file: string): Record<string, DeclaredService> {
	if (!isObject(raw)) throw new PortError(`${file}: "services" must be an object like {"web": {"port": 3000, "command": "npm run dev"}}`, ExitCode.config);
	const services: Record<string, DeclaredService> = {};
	const byPort = new Map<number, string>();
	for (const [name, value] of Object.entries(raw)) {
		const where = `${file}: services.${name}`;
		const problem = serviceNameProblem(name);
		if (problem) throw new PortError(`${file}: service name "${name}" is invalid: ${problem}`, ExitCode.config);
		if (!isObject(value)) throw new PortError(`${where} must be an object with "port" and "command"`, ExitCode.config);
		for (const key of Object.keys(value)) {
			if (!serviceKeys.includes(key)) throw new PortError(`${where}: unknown key "${key}" (known: ${serviceKeys.join(', ')})`, ExitCode.config);
		}
		const port = value['port'];
		if (port === undefined) throw new PortError(`${where}: "port" is missing`, ExitCode.config);
		if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65_535) {
			throw new PortError(`${where}: "port" must be an integer from 1 to 65535, got ${JSON.stringify(port)}`, ExitCode.config);
		}
		const other = byPort.get(port as number);
		if (other) throw new PortError(`${where}: port ${String(port)} is already used by services.${other}`, ExitCode.config);
		byPort.set(port as number, name);
		const service: DeclaredService = {port: port as number, command: parseServiceCommand(value['command'], where)};
		if (value['cwd'] !== undefined) {
			if (typeof value['cwd'] !== 'string' || value['cwd'].trim() === '') throw new PortError(`${where}: "cwd" must be a non-empty string`, ExitCode.config);
			service.cwd = value['cwd'];
		}
		if (value['env'] !== undefined) {
			const env = value['env'];
			if (!isObject(env) || !Object.values(env).every(v => typeof v === 'string')) {
				throw new PortError(`${where}: "env" must be an object of strings like {"LOG": "debug"}`, ExitCode.config);
			}
			service.env = env as Record<string, string>;
		}
		const grace = parseGrace(value['readyGrace'], where);
		if (grace !== undefined) service.readyGrace = grace;
		services[name] = service;
	}
	return services;
}

function parseServiceCommand(raw: unknown, where: string): string[] {
	if (raw === undefined) throw new PortError(`${where}: "command" is missing`, ExitCode.config);
	if (Array.isArray(raw)) {
		if (raw.length === 0 || !raw.every(w => typeof w === 'string') || (raw[0] as string).trim() === '') {
			throw new PortError(`${where}: "command" must be a non-empty string or array of strings`, ExitCode.config);
		}
		return raw as string[];
	}
	if (typeof raw !== 'string' || raw.trim() === '') throw new PortError(`${where}: "command" must be a non-empty string or array of strings`, ExitCode.config);
	if (needsShell.test(raw)) return ['sh', '-c', raw];
	try {
		return splitCommand(raw);
	} catch (error) {
		throw new PortError(`${where}: "command": ${(error as Error).message}`, ExitCode.config);
	}
}

/**
 * A declared service's directory in a worktree (`cwd` is relative to it). A missing one is a
 * config problem (exit 3), not the "command not found" spawning in it would report.
 */
export function serviceCwd(worktreePath: string, name: string, cwd: string | undefined): string {
	const dir = path.resolve(worktreePath, cwd ?? '.');
	let isDir = false;
	try {
		isDir = statSync(dir).isDirectory();
	} catch {
		isDir = false;
	}
	if (!isDir) throw new PortError(`services.${name}: "cwd" ${cwd} is not a directory in ${worktreePath}`, ExitCode.config);
	return dir;
}

/** The grace period before "not listening" (ms): the service's `readyGrace`, else the project's, else the default. */
export function readyGraceMsOf(config: {readyGrace?: number}, service?: Pick<DeclaredService, 'readyGrace'>): number {
	const seconds = service?.readyGrace ?? config.readyGrace;
	return seconds !== undefined ? seconds * 1000 : defaultReadyGraceMs;
}
