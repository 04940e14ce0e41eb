/**
 * A bounded ring buffer of log lines for one service. Memory stays flat whatever the child
 * prints: at most `capacity` lines of at most `maxLineLength` characters each. Lines are
 * cleaned for display at ingestion: SGR colour sequences are kept, every other escape or
 * control sequence (cursor moves, screen clears, bells) is dropped, tabs become spaces and a
 * carriage return keeps only what was drawn last (progress bars).
 */
export const defaultLogCapacity = 5000;
export const defaultMaxLineLength = 2000;

// CSI sequences (ESC [ ... final byte), OSC (ESC ] ... BEL or ESC \) and two-byte escapes.
const escapeSequence = /\u001B(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001B]*(?:\u0007|\u001B\\)?|[@-Z\\-_])/g;
// C0 controls other than ESC (handled above) and TAB (expanded), plus DEL and C1.
const controlChars = /[\u0000-\u0008\u000B-\u001A\u001C-\u001F\u007F-\u009F]/g;
const sgr = /^\u001B\[[0-9;]*m$/;
const anyAnsi = /\u001B\[[0-9;]*m/g;

export const stripAnsi = (text: string) => text.replace(anyAnsi, '');

/** One raw line (no newline) made safe to print in one terminal row. */
export function cleanLine(raw: string, maxLength = defaultMaxLineLength): string {
	let line = raw;
	const cr = line.lastIndexOf('\r');
	if (cr !== -1) line = cr === line.length - 1 ? line.slice(0, -1) : line.slice(cr + 1);
	// Bound the work first: a 100 KB line is cut before any regex runs over it.
	let truncated = false;
	if (line.length > maxLength * 2) {
		line = line.slice(0, maxLength * 2);
		truncated = true;
	}
	if (line.includes('\u001B')) line = line.replace(escapeSequence, seq => (sgr.test(seq) ? seq : ''));
	if (line.includes('\t')) line = line.replaceAll('\t', '    ');
	line = line.replace(controlChars, '');
	if (line.length > maxLength) {
		line = line.slice(0, maxLength);
		// Never leave half an escape sequence at the cut.
		const esc = line.lastIndexOf('\u001B');
		if (esc !== -1 && !/^\u001B\[[0-9;]*m/.test(line.slice(esc))) line = line.slice(0, esc);
		truncated = true;
	}
	if (truncated) line += `\u001B[0m… [line truncated]`;
	return line;
}

export class LogBuffer {
	private readonly ring: string[];
	private start = 0;
	private count = 0;
	private partial = '';
	private partialOverflow = false;
	/** Lines ever received (including the ones that fell out of the buffer). */
	total = 0;

	constructor(
		readonly capacity = defaultLogCapacity,
		readonly maxLineLength = defaultMaxLineLength,
	) {
		this.ring = new Array<string>(capacity);
	}

	get size(): number {
		return this.count;
	}

	/** Lines currently held, oldest at index 0. */
	line(index: number): string {
		return this.ring[(this.start + index) % this.capacity] ?? '';
	}

	slice(from: number, to: number): string[] {
		const out: string[] = [];
		for (let i = Math.max(0, from); i < Math.min(to, this.count); i++) out.push(this.line(i));
		return out;
	}

	/** The unterminated last line, if any (shown as the newest line). */
	get pending(): string {
		return this.partial;
	}

	/** Appends decoded text; complete lines go in the ring, a trailing fragment waits for its newline. */
	append(text: string): void {
		if (text === '') return;
		const parts = text.split('\n');
		const last = parts.pop()!;
		if (parts.length > 0) {
			parts[0] = this.joinPartial(parts[0]!);
			this.partial = '';
			this.partialOverflow = false;
			// Lines that would fall out of the ring right away are counted, never cleaned.
			const skip = Math.max(0, parts.length - this.capacity);
			this.total += skip;
			for (let i = skip; i < parts.length; i++) this.push(parts[i]!);
		}
		this.partial = this.joinPartial(last);
	}

	/** Flushes an unterminated last line (when its source ended). */
	flush(): void {
		if (this.partial !== '') this.push(this.partial);
		this.partial = '';
		this.partialOverflow = false;
	}

	private joinPartial(fragment: string): string {
		if (this.partialOverflow) return this.partial;
		const joined = this.partial + fragment;
		// A line without a newline can be arbitrarily long: keep a bounded prefix only.
		if (joined.length > this.maxLineLength * 2) {
			this.partialOverflow = true;
			return joined.slice(0, this.maxLineLength * 2 + 1);
		}
		return joined;
	}

	/** Appends complete lines that are clean already (taken from another buffer): no second cleaning. */
	appendClean(lines: string[]): void {
		const skip = Math.max(0, lines.length - this.capacity);
		this.total += skip;
		for (let i = skip; i < lines.length; i++) this.store(lines[i]!);
	}

	private push(raw: string): void {
		this.store(cleanLine(raw, this.maxLineLength));
	}

	private store(line: string): void {
		this.total++;
		if (this.count < this.capacity) {
			this.ring[(this.start + this.count) % this.capacity] = line;
			this.count++;
		} else {
			this.ring[this.start] = line;
			this.start = (this.start + 1) % this.capacity;
		}
	}

	clear(): void {
		this.start = 0;
		this.count = 0;
		this.partial = '';
		this.partialOverflow = false;
	}

	/**
	 * Index of the next line (after `from` going forward, before it going backward) whose text
	 * without colours contains `query` (case-insensitive), wrapping around; undefined if none.
	 */
	search(query: string, from: number, direction: 1 | -1): number | undefined {
		if (query === '' || this.count === 0) return undefined;
		const needle = query.toLowerCase();
		for (let step = 1; step <= this.count; step++) {
			const index = (((from + direction * step) % this.count) + this.count) % this.count;
			if (stripAnsi(this.line(index)).toLowerCase().includes(needle)) return index;
		}
		return undefined;
	}

	/** How many held lines match (for "3/17" in the status line). */
	countMatches(query: string): number {
		if (query === '') return 0;
		const needle = query.toLowerCase();
		let n = 0;
		for (let i = 0; i < this.count; i++) if (stripAnsi(this.line(i)).toLowerCase().includes(needle)) n++;
		return n;
	}
}
