import {createInterface} from 'node:readline/promises';
import {PortError} from '../core/errors.js';

/** Asks a yes/no question on the terminal; callers check that stdin is a TTY first. */
export async function confirm(question: string): Promise<boolean> {
	const rl = createInterface({input: process.stdin, output: process.stderr});
	try {
		const answer = await rl.question(question);
		return /^y(es)?$/i.test(answer.trim());
	} catch (error) {
		// Ctrl+C at the prompt: readline aborts the question; leave as SIGINT would (130).
		if ((error as {code?: string}).code === 'ABORT_ERR') throw new PortError('Aborted.', 130);
		throw error;
	} finally {
		rl.close();
	}
}
