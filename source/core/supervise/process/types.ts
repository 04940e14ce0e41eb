/** What the operating system says about one pid right now. */
export interface ProcessFact {
	/** Identity of this incarnation of the pid: stable across shells, TZ and locale. */
	startTime: string;
	/** Exited but not reaped: its pid is not reusable yet, but it runs nothing. */
	zombie: boolean;
}

/** Facts by pid; a pid that does not exist has no entry. */
export type ProcessFacts = ReadonlyMap<number, ProcessFact>;

export const validPids = (pids: Iterable<number>) => [...new Set(pids)].filter(pid => Number.isInteger(pid) && pid > 0);
