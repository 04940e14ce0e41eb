// The one place that asks the operating system about processes: /proc on Linux, ps elsewhere
// (macOS). Neither loads node:child_process at start-up.
import * as darwin from './darwin.js';
import * as linux from './linux.js';

export type {ProcessFact, ProcessFacts} from './types.js';

const platform = process.platform === 'linux' ? linux : darwin;

/** Start time and zombie state of each existing pid, in one pass (one `ps` on macOS). */
export const processFacts = platform.processFacts;
/** Some member of the process group runs (zombies do not count). Never asks about pid <= 0. */
export const groupAlive = (pgid: number): boolean => Number.isInteger(pgid) && pgid > 0 && platform.groupAlive(pgid);
