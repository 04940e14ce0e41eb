import {docker} from '../docker/cli.js';
import {configError} from '../errors.js';
import {networkNames, type ComposeFile, type ServiceInfo} from './compose-file.js';
import {interpolationEnv} from './env-file.js';
import {userComposeArgs, type ComposeContext} from './context.js';
import {parsePortEntry, type PortMapping} from './ports-syntax.js';

/**
 * The model as Compose itself resolves it (`docker compose config --format json` with the
 * worktree's files, `.env`, COMPOSE_PROFILES...): `extends`, `include:`, override files and
 * profiles are applied, values interpolated. Our override is built from this, not from our
 * own reading of one file, so every port a plain `docker compose up` would bind is covered.
 */

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `--profile`/`--env-file` options given before the subcommand (`port compose --profile x up`), for the model. */
export function modelFlags(argv: string[]): string[] {
	const out: string[] = [];
	for (let i = 0; i < argv.length && argv[i]!.startsWith('-'); i++) {
		const arg = argv[i]!;
		if (/^--(profile|env-file)=/.test(arg)) out.push(arg);
		else if ((arg === '--profile' || arg === '--env-file') && argv[i + 1] !== undefined) out.push(arg, argv[++i]!);
	}
	return out;
}

export async function resolveModel(ctx: ComposeContext, signal?: AbortSignal, flags: string[] = []): Promise<ComposeFile> {
	const result = await docker([...userComposeArgs(ctx), ...flags, 'config', '--format', 'json'], {cwd: ctx.worktreePath, cancelSignal: signal});
	if (result.exitCode !== 0) {
		const reason = result.stderr.trim().split('\n').filter(Boolean).at(-1) ?? `exit code ${result.exitCode}`;
		throw configError(`docker compose cannot read ${ctx.composeFiles.join(', ')}: ${reason}`);
	}
	let model: unknown;
	try {
		model = JSON.parse(result.stdout);
	} catch {
		throw configError(`docker compose config printed no JSON model for ${ctx.composeFile}.`, 'port needs a Compose v2 that supports `config --format json`.');
	}
	return modelToComposeFile(model, ctx.composeFile);
}

/** The services of a resolved JSON model, in the shape override-plan.ts plans from. */
export function modelToComposeFile(model: unknown, file: string): ComposeFile {
	const services = isObject(model) && isObject(model['services']) ? model['services'] : {};
	const notes: string[] = [];
	const result: ServiceInfo[] = [];
	const env = interpolationEnv(file);
	for (const [name, raw] of Object.entries(services)) {
		const service = isObject(raw) ? raw : {};
		const rawPorts = Array.isArray(service['ports']) ? service['ports'] : [];
		const ports: PortMapping[] = [];
		for (const [index, entry] of rawPorts.entries()) {
			// Compose has interpolated them already (interpolating a port number again is a no-op).
			ports.push(...parsePortEntry(entry, `${file}: services.${name}.ports[${index}]`, env, notes));
		}
		const info: ServiceInfo = {name, hasPorts: rawPorts.length > 0, networks: networkNames(service['networks']), ports};
		if (typeof service['image'] === 'string') info.image = service['image'];
		if (typeof service['container_name'] === 'string') info.containerName = service['container_name'];
		if (typeof service['network_mode'] === 'string') info.networkMode = service['network_mode'];
		result.push(info);
	}
	return {file, services: result, notes};
}
