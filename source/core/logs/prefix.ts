// Prefixed, coloured lines for output of several services in one stream (port run for all
// declared services, port logs, the dashboard's merged worktree log).

/** SGR colours that tell services apart: cyan, yellow, magenta, green, blue, red. */
const colors = [36, 33, 35, 32, 34, 31];

export const prefixColor = (index: number): number => colors[index % colors.length]!;

/** `label | ` in the given SGR colour, or plain when there is none. */
export const linePrefix = (label: string, color: number | undefined): string => (color === undefined ? `${label} | ` : `\u001B[${color}m${label} |\u001B[0m `);

/** Colour on stdout: a terminal, and NO_COLOR is not set. */
export const stdoutWantsColor = (): boolean => Boolean(process.stdout.isTTY) && process.env['NO_COLOR'] === undefined;
