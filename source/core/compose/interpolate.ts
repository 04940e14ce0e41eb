/**
 * Variables as Compose interpolates them: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err},
 * ${VAR?err}, ${VAR:+alt}, ${VAR+alt}, $VAR and $$ (a literal $).
 */

export type Env = Record<string, string | undefined>;

/** Thrown for `${VAR:?message}`, and for unset variables without a default (they would give a blank port). */
export class InterpolationError extends Error {}

export function interpolate(input: string, env: Env): string {
	let out = '';
	let i = 0;
	while (i < input.length) {
		const ch = input[i]!;
		if (ch !== '$') {
			out += ch;
			i++;
			continue;
		}
		const next = input[i + 1];
		if (next === '$') {
			out += '$';
			i += 2;
			continue;
		}
		if (next === '{') {
			const end = closingBrace(input, i + 2);
			if (end === -1) throw new InterpolationError(`unclosed "\${" in "${input}"`);
			out += expand(input.slice(i + 2, end), env);
			i = end + 1;
			continue;
		}
		const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(input.slice(i + 1))?.[0];
		if (name) {
			out += lookup(name, env);
			i += 1 + name.length;
			continue;
		}
		out += ch;
		i++;
	}
	return out;
}

function closingBrace(text: string, from: number): number {
	let depth = 1;
	for (let i = from; i < text.length; i++) {
		if (text[i] === '{') depth++;
		else if (text[i] === '}' && --depth === 0) return i;
	}
	return -1;
}

function lookup(name: string, env: Env): string {
	const value = env[name];
	if (value === undefined) throw new InterpolationError(`variable ${name} is not set (in the environment or .env) and has no default`);
	return value;
}

function expand(body: string, env: Env): string {
	const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(body);
	if (!match) throw new InterpolationError(`invalid variable "\${${body}}"`);
	const [, name, op, arg = ''] = match as unknown as [string, string, string | undefined, string | undefined];
	const value = env[name];
	const unsetOrEmpty = value === undefined || value === '';
	switch (op) {
		case undefined:
			return lookup(name, env);
		case ':-':
			return unsetOrEmpty ? interpolate(arg, env) : value!;
		case '-':
			return value === undefined ? interpolate(arg, env) : value;
		case ':?':
		case '?':
			if (op === ':?' ? unsetOrEmpty : value === undefined) {
				throw new InterpolationError(`variable ${name} is required: ${interpolate(arg, env) || 'not set'}`);
			}
			return value!;
		case ':+':
			return unsetOrEmpty ? '' : interpolate(arg, env);
		case '+':
			return value === undefined ? '' : interpolate(arg, env);
		default:
			throw new InterpolationError(`invalid variable "\${${body}}"`);
	}
}
