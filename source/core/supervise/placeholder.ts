/**
 * `{PORT}` in a command word is replaced with the actual port: `python3 -m http.server {PORT}`.
 * Braces around a single word with no comma are left alone by bash, zsh, dash and fish (3.1+),
 * so it needs no quotes; `$PORT` would be expanded by the user's shell before we see it.
 */
export const portPlaceholder = '{PORT}';

export const hasPlaceholder = (command: readonly string[]) => command.some(word => word.includes(portPlaceholder));

export function fillPlaceholders(command: readonly string[], port: number): string[] {
	return command.map(word => word.replaceAll(portPlaceholder, String(port)));
}
