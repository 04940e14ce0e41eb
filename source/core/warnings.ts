/**
 * Warnings go to stderr as one line each. The dashboard swaps the sink so that a warning
 * becomes a message in the UI instead of garbling the frame.
 */
let sink: (message: string) => void = message => {
	process.stderr.write(`port: warning: ${message}\n`);
};

export const warn = (message: string) => sink(message);

export function setWarningSink(next: (message: string) => void): () => void {
	const previous = sink;
	sink = next;
	return () => {
		sink = previous;
	};
}
