import {execa, type Options, type ResultPromise} from 'execa';
import {ExitCode, PortError} from '../errors.js';
import {firstLine} from '../text.js';

/**
 * The one door to the `docker` CLI: argument arrays only (never a shell string), results as
 * data, and the two failures a user can fix told apart: no CLI, or no engine.
 */
export interface DockerResult {
	exitCode: number;
	stdout: string;
	stderr: string;
}

export type DockerAvailability = {ok: true} | {ok: false; reason: string};

const engineDown = /Cannot connect to the Docker daemon|Is the docker daemon running|error during connect|docker daemon is not running|permission denied while trying to connect/i;

/** docker calls still running, so a forced exit (second Ctrl+C) can take them down with it. */
const running = new Set<ResultPromise>();

/** The error of a docker call cut short by its `cancelSignal` (Ctrl+C / SIGTERM during set-up). */
export const interrupted = () => new PortError('Interrupted.', ExitCode.failure);

export function throwIfAborted(signal: AbortSignal | undefined): void {
	if (signal?.aborted) throw interrupted();
}

/** `options.cancelSignal` stops the call (SIGTERM, SIGKILL 5 s later) and makes it throw `interrupted()`. */
export async function docker(args: string[], options: Options = {}): Promise<DockerResult> {
	throwIfAborted(options.cancelSignal);
	try {
		const subprocess = execa('docker', args, {reject: false, stdin: 'ignore', ...options});
		running.add(subprocess);
		const result = await subprocess.finally(() => running.delete(subprocess));
		if (result.isCanceled) throw interrupted();
		if (result.failed && result.exitCode === undefined) {
			if (result.code === 'ENOENT') throw dockerMissing(result);
			throw new PortError(`Could not run docker: ${result.shortMessage ?? 'unknown error'}`, ExitCode.docker);
		}
		return {exitCode: result.exitCode ?? 1, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '')};
	} catch (error) {
		if (error instanceof PortError) throw error;
		throw dockerMissing(error);
	}
}

/** SIGKILLs every docker call still running (before a forced exit). */
export function killDockerCalls(): void {
	for (const subprocess of running) subprocess.kill('SIGKILL');
}

function dockerMissing(cause: unknown): PortError {
	return new PortError('Docker is not installed (no `docker` command on PATH).', ExitCode.docker, 'Install Docker Engine or Docker Desktop.', {cause});
}

/**
 * What the docker CLI says when the Compose v2 plugin is missing: `docker compose -p ...` is read
 * as `docker -p` (exit 125), `docker compose version` as an unknown command (Docker 28: exit 1).
 * Docker 20.10 parses every flag as its own first: `docker compose version --short` says
 * "unknown flag: --short" and points at `docker --help` (the plugin would name `docker compose`).
 */
const composeMissing =
	/unknown shorthand flag: '\w+' in -|unknown flag: --[\w-]+\s+(?:See 'docker --help'|Usage:\s+docker \[OPTIONS\])|'compose' is not a docker command|unknown command "compose"|unknown command: docker compose/i;

export const composeMissingError = () =>
	new PortError('Docker Compose v2 is not installed (`docker compose` is not available).', ExitCode.docker, 'Install the Compose v2 plugin (docker-compose-plugin).');

/** Throws the right one-line PortError when a docker call failed because of the engine. */
export function explainFailure(result: DockerResult, what: string): PortError {
	const line = errorLine(result.stderr) || errorLine(result.stdout) || firstLine(result.stderr) || firstLine(result.stdout) || `exit code ${result.exitCode}`;
	if (composeMissing.test(result.stderr)) return composeMissingError();
	if (engineDown.test(result.stderr)) {
		return new PortError(`Docker engine is not reachable: ${line}`, ExitCode.docker, 'Start Docker (dockerd / Docker Desktop) and try again.');
	}
	return new PortError(`${what} failed: ${line.replace(/\.?$/, '.')}`, ExitCode.docker);
}

/** Compose prints progress lines ("Container x  Recreate") before the error: the line that says what went wrong. */
const looksLikeError = /error|failed|cannot|denied|bind/i;
const errorLine = (text: string) => text.split('\n').map(l => l.trim()).find(l => l !== '' && looksLikeError.test(l)) ?? '';

/** Checks CLI and engine with one cheap call. */
export async function dockerAvailability(signal?: AbortSignal): Promise<DockerAvailability> {
	try {
		const result = await docker(['version', '--format', '{{.Server.Version}}'], {cancelSignal: signal});
		if (result.exitCode === 0 && result.stdout.trim() !== '') return {ok: true};
		return {ok: false, reason: explainFailure(result, 'docker version').message};
	} catch (error) {
		return {ok: false, reason: error instanceof PortError ? error.message : String(error)};
	}
}

export type ContainerState = 'running' | 'stopped' | 'missing';

/** State of one container by name, in one `docker inspect`. */
export async function containerState(name: string, signal?: AbortSignal): Promise<ContainerState> {
	const result = await docker(['inspect', '--type', 'container', '--format', '{{.State.Running}}', name], {cancelSignal: signal});
	if (result.exitCode === 0) return result.stdout.trim() === 'true' ? 'running' : 'stopped';
	if (/no such (object|container)/i.test(result.stderr)) return 'missing';
	throw explainFailure(result, `docker inspect ${name}`);
}

/** `docker compose version --short`, e.g. "2.26.1"; throws when Compose v2 is missing. */
export async function composeVersion(signal?: AbortSignal): Promise<string> {
	const version = await composeVersionIfInstalled(signal);
	if (version === undefined) throw composeMissingError();
	return version;
}

/** As composeVersion, but undefined when the plugin is not installed (needs no engine). */
export async function composeVersionIfInstalled(signal?: AbortSignal): Promise<string | undefined> {
	const result = await docker(['compose', 'version', '--short'], {cancelSignal: signal});
	if (result.exitCode !== 0) {
		if (composeMissing.test(result.stderr)) return undefined;
		if (engineDown.test(result.stderr)) throw explainFailure(result, 'docker compose version');
		throw new PortError(
			`Docker Compose v2 is not available (\`docker compose version\` failed: ${firstLine(result.stderr) || 'no output'}).`,
			ExitCode.docker,
			'Install the Compose v2 plugin (docker-compose-plugin).',
		);
	}
	return result.stdout.trim().replace(/^v/, '');
}

export async function ensureNetwork(name: string, signal?: AbortSignal): Promise<void> {
	const inspect = await docker(['network', 'inspect', '--format', '{{.Name}}', name], {cancelSignal: signal});
	if (inspect.exitCode === 0) return;
	const created = await docker(['network', 'create', name], {cancelSignal: signal});
	// A concurrent `port` may have created it between the two calls.
	if (created.exitCode !== 0 && !/already exists/i.test(created.stderr)) throw explainFailure(created, `docker network create ${name}`);
}
