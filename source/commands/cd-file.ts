import {writeFileAtomic} from '../core/atomic-write.js';

// The shell hook (`port shell-hook`) runs port with PORT_CD_FILE set and cds to what port writes there.

/** True when port runs inside the shell hook function. */
export const shellHookActive = () => Boolean(process.env['PORT_CD_FILE']);

/** Asks the shell hook to cd to `dir`; false when there is no hook (the caller says what to do instead). */
export function cdShellTo(dir: string): boolean {
	const cdFile = process.env['PORT_CD_FILE'];
	if (!cdFile) return false;
	writeFileAtomic(cdFile, dir);
	return true;
}

/** `text` as one single-quoted POSIX shell word. */
export const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
