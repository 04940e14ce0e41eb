import {readFileSync} from 'node:fs';
import {parse, printParseErrorCode, type ParseError} from 'jsonc-parser';
import {ExitCode, PortError, errnoCode} from '../errors.js';
import {domainProblem} from '../names.js';
import {projectConfigFile} from '../paths.js';
import {parseGrace, parseServices, type DeclaredService} from '../supervise/declared.js';

export interface ProjectConfig {
	/** Hostnames are `<worktree>.<domain>`. */
	domain: string;
	/** Compose file, relative to the worktree root. */
	compose: string;
	/** Host services every worktree can run by name (`port run web`, or all: `port run`). */
	services?: Record<string, DeclaredService>;
	/** Seconds a host service may take to listen on its port (default 10). */
	readyGrace?: number;
	/** Expose this project's logical ports to other machines (default: loopback only). */
	lan: boolean;
	/** Per published port: "tcp" (a loopback host port, not routed) or "http" (routed); else guessed. */
	ports: Record<string, 'http' | 'tcp'>;
}

export const defaultConfig: ProjectConfig = {domain: 'port', compose: 'docker-compose.yml', lan: false, ports: {}};

export const configTemplate = `{
  // Hostnames are <worktree>.<domain>: feature-1.port:3000 reaches worktree feature-1.
  // "localhost" needs no DNS setup at all; other domains must resolve to 127.0.0.1.
  "domain": "port",

  // The Docker Compose file of every worktree, relative to the worktree root.
  "compose": "docker-compose.yml",

  // Host services of every worktree: \`port run\` starts them all, \`port run web\` one.
  // "services": {
  //   "web": {"port": 3000, "command": "npm run dev", "cwd": "apps/web"},
  //   "api": {"port": 4000, "command": ["go", "run", "."], "env": {"LOG": "debug"}}
  // },

  // true: Traefik listens on every interface for this project's ports, so anyone on the
  // network can reach these dev servers (and spoof any Host header). Default: loopback only.
  "lan": false,

  // Published ports that are not HTTP get their own localhost port per worktree instead of a
  // route (guessed from well-known ports such as 5432 and images such as postgres). Override:
  // "ports": {"5433": "tcp", "9000": "http"}
  "ports": {}
}
`;

/** Reads `.port/config.jsonc`; a missing file means defaults, a broken one is an error. */
export function loadConfig(repoRoot: string): {config: ProjectConfig; exists: boolean} {
	const file = projectConfigFile(repoRoot);
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		if (errnoCode(error) === 'ENOENT') return {config: {...defaultConfig}, exists: false};
		throw new PortError(`Cannot read ${file}: ${(error as Error).message}`, ExitCode.config);
	}
	return {config: parseConfig(text, file), exists: true};
}

export function parseConfig(text: string, file: string): ProjectConfig {
	const errors: ParseError[] = [];
	const value: unknown = parse(text, errors, {allowTrailingComma: true, disallowComments: false});
	const first = errors[0];
	if (first) {
		const line = text.slice(0, first.offset).split('\n').length;
		throw new PortError(`${file}:${line}: invalid JSONC (${printParseErrorCode(first.error)})`, ExitCode.config);
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new PortError(`${file}: expected an object like {"domain": "port"}`, ExitCode.config);
	}
	const config: ProjectConfig = {...defaultConfig, ports: {}};
	for (const [key, raw] of Object.entries(value)) {
		if (key === 'services') {
			config.services = parseServices(raw, file);
			continue;
		}
		if (key === 'readyGrace') {
			config.readyGrace = parseGrace(raw, file);
			continue;
		}
		if (key === 'ports') {
			config.ports = parsePorts(raw, file);
			continue;
		}
		if (key === 'lan') {
			if (typeof raw !== 'boolean') throw new PortError(`${file}: "lan" must be true or false, got ${JSON.stringify(raw)}`, ExitCode.config);
			config.lan = raw;
			continue;
		}
		if (key !== 'domain' && key !== 'compose') {
			throw new PortError(`${file}: unknown key "${key}" (known: domain, compose, services, readyGrace, lan, ports)`, ExitCode.config);
		}
		if (typeof raw !== 'string') {
			throw new PortError(`${file}: "${key}" must be a string, got ${JSON.stringify(raw)}`, ExitCode.config);
		}
		config[key] = raw;
	}
	const problem = domainProblem(config.domain);
	if (problem) throw new PortError(`${file}: domain "${config.domain}" is invalid: ${problem}`, ExitCode.config);
	if (config.compose.trim() === '') throw new PortError(`${file}: "compose" must not be empty`, ExitCode.config);
	return config;
}

function parsePorts(raw: unknown, file: string): Record<string, 'http' | 'tcp'> {
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new PortError(`${file}: "ports" must be an object like {"5433": "tcp"}`, ExitCode.config);
	const out: Record<string, 'http' | 'tcp'> = {};
	for (const [port, protocol] of Object.entries(raw)) {
		const n = Number(port);
		if (!/^\d+$/.test(port) || n < 1 || n > 65_535) throw new PortError(`${file}: "ports" key "${port}" is not a port number`, ExitCode.config);
		if (protocol !== 'http' && protocol !== 'tcp') throw new PortError(`${file}: "ports"."${port}" must be "http" or "tcp", got ${JSON.stringify(protocol)}`, ExitCode.config);
		out[String(n)] = protocol;
	}
	return out;
}
