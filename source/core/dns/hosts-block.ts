/**
 * The managed block port keeps in the hosts file: one marked region, rewritten as a whole,
 * removed without touching a byte outside it (pure text functions; writing is apply.ts's).
 */
export const blockStart = '# >>> port: managed block (port install / port uninstall; do not edit) >>>';
export const blockEnd = '# <<< port: managed block <<<';

/** The markers of one kind of block: the hosts file's, or the shell rc file's (rc-hook.ts). */
export interface Markers {
	start: string;
	end: string;
}
export const hostsMarkers: Markers = {start: blockStart, end: blockEnd};

/** The block's text (ending with a newline): one `127.0.0.1 <name>` line per name, sorted. */
export function renderBlock(names: Iterable<string>): string {
	const lines = [...new Set(names)].sort().map(name => `127.0.0.1 ${name}`);
	return `${[blockStart, ...lines, blockEnd].join('\n')}\n`;
}

interface Found {
	start: number;
	end: number;
}

/** The block's byte range (end includes its final newline), if the text has one. */
function findBlock(text: string, {start: first, end: last}: Markers = hostsMarkers): Found | undefined {
	const start = text.startsWith(`${first}\n`) ? 0 : text.indexOf(`\n${first}\n`) + 1;
	if (start <= 0 && !text.startsWith(`${first}\n`)) return undefined;
	const endMarker = text.indexOf(`\n${last}`, start);
	if (endMarker < 0) return undefined;
	let end = endMarker + 1 + last.length;
	if (text[end] === '\n') end += 1;
	return {start, end};
}

/** Names listed in the block (empty when there is none). */
export function blockNames(text: string): string[] {
	const found = findBlock(text);
	if (!found) return [];
	return text
		.slice(found.start, found.end)
		.split('\n')
		.filter(line => line.startsWith('127.0.0.1 '))
		.map(line => line.slice('127.0.0.1 '.length).trim());
}

export const hasBlock = (text: string) => findBlock(text) !== undefined;

/**
 * The text with the block put in (replacing the old one in place, else appended). When the
 * text did not end with a newline, one is added before the block: `addedNewline` says so, and
 * removeBlock takes it away again so the file comes back byte for byte.
 */
export function withBlock(text: string, block: string, markers?: Markers): {text: string; addedNewline: boolean} {
	const found = findBlock(text, markers);
	if (found) return {text: text.slice(0, found.start) + block + text.slice(found.end), addedNewline: false};
	const addedNewline = text.length > 0 && !text.endsWith('\n');
	return {text: `${text}${addedNewline ? '\n' : ''}${block}`, addedNewline};
}

/** The text without the block (and without the newline withBlock added, if it did). */
export function removeBlock(text: string, addedNewline: boolean, markers?: Markers): string {
	const found = findBlock(text, markers);
	if (!found) return text;
	let start = found.start;
	if (addedNewline && found.end === text.length && start > 0 && text[start - 1] === '\n') start -= 1;
	return text.slice(0, start) + text.slice(found.end);
}
