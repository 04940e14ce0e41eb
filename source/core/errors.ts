/** Exit codes a user can meet; documented in readme.md. */
export const ExitCode = {
	ok: 0,
	failure: 1,
	usage: 2,
	config: 3,
	conflict: 4,
	docker: 5,
	notExecutable: 126,
	notFound: 127,
} as const;

/**
 * An error meant for the user: one actionable line, the exit code to leave with,
 * and an optional hint printed under it. Thrown anywhere, caught once in cli.ts.
 */
export class PortError extends Error {
	constructor(
		message: string,
		readonly exitCode: number = ExitCode.failure,
		readonly hint?: string,
		options?: ErrorOptions,
	) {
		super(message, options);
		this.name = 'PortError';
	}
}

export class UsageError extends PortError {
	constructor(message: string, usage?: string) {
		super(message, ExitCode.usage, usage);
		this.name = 'UsageError';
	}
}

/** `port <command> --help`: cli.ts prints `text` to stdout and exits 0 (flushed, unlike process.exit()). */
export class HelpRequested extends Error {
	constructor(readonly text: string) {
		super('help requested');
	}
}

export const notInProject = () =>
	new PortError("Not in a port-managed project. Run 'port init' first.", ExitCode.config);

/** A mistake in the project's own files (.port/config.jsonc, the compose file): exit 3. */
export const configError = (message: string, hint?: string) => new PortError(message, ExitCode.config, hint);

/** Node's fs errors carry a `code`; this narrows unknown catches without casts everywhere. */
export function errnoCode(error: unknown): string | undefined {
	return typeof error === 'object' && error !== null && 'code' in error
		? String((error as {code: unknown}).code)
		: undefined;
}

/**
 * A file under PORT_HOME could not be created, read, written or locked (exit 3). Its own class so
 * that callers can tell a full or read-only disk from other failures without reading the wording.
 */
export class FileSystemError extends PortError {
	constructor(
		message: string,
		readonly action: string,
		readonly path: string,
		readonly code: string | undefined,
		options?: ErrorOptions,
	) {
		super(message, ExitCode.config, undefined, options);
		this.name = 'FileSystemError';
	}
}

/** Turns an fs failure under PORT_HOME into one line that says what and where. */
export function fsError(action: string, path: string, error: unknown): FileSystemError {
	const code = errnoCode(error);
	const reason =
		code === 'EACCES' || code === 'EPERM'
			? 'permission denied'
			: code === 'ENOSPC'
				? 'no space left on device'
				: code === 'EROFS'
					? 'read-only file system'
					: code === 'ENOTDIR'
						? 'a parent is not a directory'
						: (error as Error)?.message ?? String(error);
	return new FileSystemError(`Cannot ${action} ${path}: ${reason}`, action, path, code, {cause: error});
}
