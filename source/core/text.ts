/**
 * The first non-blank line of a tool's output, trimmed; `prefix` (e.g. git's `fatal: `) is taken
 * off each line first. What a one-line `port: ...` message quotes from git, docker or ps.
 */
export const firstLine = (text: string, prefix?: RegExp): string =>
	text
		.split('\n')
		.map(line => (prefix ? line.replace(prefix, '') : line).trim())
		.find(line => line !== '') ?? '';
