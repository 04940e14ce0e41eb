// Putting text on the clipboard from a terminal app: OSC 52 (the terminal sets its clipboard;
// works over ssh and in tmux with set-clipboard) plus the platform's clipboard command when one
// is installed, since some terminals ignore OSC 52.
import {accessSync, constants} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {stripAnsi} from '../logs/buffer.js';

/** The escape sequence that asks the terminal to put `text` on the clipboard. */
export const osc52 = (text: string) => `\u001B]52;c;${Buffer.from(text, 'utf8').toString('base64')}\u0007`;

const onPath = (program: string): boolean =>
	(process.env['PATH'] ?? '').split(path.delimiter).some(dir => {
		try {
			accessSync(path.join(dir, program), constants.X_OK);
			return true;
		} catch {
			return false;
		}
	});

/** The clipboard command for this platform and session, if installed: [program, ...args]. */
export function clipboardCommand(): string[] | undefined {
	if (process.platform === 'darwin') return onPath('pbcopy') ? ['pbcopy'] : undefined;
	if (process.env['WAYLAND_DISPLAY'] && onPath('wl-copy')) return ['wl-copy'];
	if (onPath('xclip')) return ['xclip', '-selection', 'clipboard'];
	if (onPath('wl-copy')) return ['wl-copy'];
	return undefined;
}

/** Text as copied: colours and other escape sequences removed. */
export const plainText = (text: string) => stripAnsi(text).replace(/\u001B[^a-zA-Z]*[a-zA-Z]/g, '');

export async function defaultCopyText(text: string): Promise<string> {
	const ways: string[] = [];
	if (process.stdout.isTTY) {
		process.stdout.write(osc52(text));
		ways.push('OSC 52');
	}
	const command = clipboardCommand();
	if (command) {
		const [program, ...args] = command;
		// xclip and wl-copy stay around to serve the selection: never wait on their output.
		const result = await execa(program!, args, {input: text, stdout: 'ignore', stderr: 'ignore', reject: false, timeout: 3000, cleanup: false});
		if (!result.failed) ways.push(program!);
	}
	if (ways.length === 0) throw new Error('no terminal to send OSC 52 to and no pbcopy, wl-copy or xclip');
	return ways.join(' + ');
}
