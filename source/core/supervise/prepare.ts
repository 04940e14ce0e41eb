import {binName} from './frameworks.js';
import {childEnv} from './child-env.js';
import {injectPort} from './inject.js';
import {fillPlaceholders, hasPlaceholder} from './placeholder.js';

export interface PrepareInput {
	command: readonly string[];
	cwd: string;
	actualPort: number;
	logicalPort: number;
	hostname: string;
	domain: string;
	/** False: never add --port (`port run --no-inject`). */
	inject?: boolean;
	declared?: Record<string, number>;
	env?: Record<string, string>;
}

export interface Prepared {
	command: string[];
	env: Record<string, string>;
	/** What port changed in the command, to tell the user (`added --port 49731 --strictPort for vite`). */
	notes: string[];
	/** What to call the program in messages (`vite`, `node`). */
	what: string;
}

/**
 * The command as it is spawned: `{PORT}` filled in, or else `--port <actual>` added for a known
 * dev server; and the child's environment. The registry keeps the command as the user wrote it,
 * so a restart on another port prepares it again.
 */
export function prepareCommand(input: PrepareInput): Prepared {
	const env = childEnv(input);
	const detected = injectPort(input.command, input.actualPort, input.cwd);
	const what = detected?.framework ?? binName(input.command[0] ?? '');
	if (hasPlaceholder(input.command)) return {command: fillPlaceholders(input.command, input.actualPort), env, notes: [], what};
	if (input.inject === false || !detected) return {command: [...input.command], env, notes: [], what};
	return {command: detected.command, env, notes: [`added ${detected.added.join(' ')} for ${detected.framework}`], what};
}
