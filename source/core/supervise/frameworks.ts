import {hostBindAddress} from '../traefik/routes.js';
/**
 * Dev servers that ignore PORT and take `--port` instead. For each: which subcommands serve,
 * which flags already choose a port, and what we add. `--host <address>` is added where the
 * server takes it: the address Traefik reaches (traefik/routes.ts hostBindAddress: 127.0.0.1
 * with host networking, so a dev server is never exposed to the network by us).
 */
export interface Framework {
	name: string;
	bins: string[];
	/** First positional that means "serve" (`vite dev`, `ng serve`). */
	serving: string[];
	/** The bare command (no positional at all) serves: `vite`, `rsbuild`, `expo`. */
	bareServes: boolean;
	/** A first positional that is a path is a root directory (`vite ./app`): it serves. */
	pathServes?: boolean;
	/** Flags that already choose the port (then nothing is added). */
	portFlags: string[];
	/** The flag that makes it fail instead of moving to another port. */
	strict?: string[];
	/** Takes `--host <address>`. */
	host: boolean;
	/** Flags that take a value (so their value is not read as a subcommand). */
	valueFlags: string[];
}

const viteValueFlags = ['--config', '-c', '--mode', '-m', '--base', '--logLevel', '-l', '--filter', '-f', '--clearScreen'];

export const frameworks: Framework[] = [
	{
		name: 'vite',
		bins: ['vite'],
		serving: ['dev', 'serve', 'preview'],
		bareServes: true,
		pathServes: true,
		portFlags: ['--port'],
		strict: ['--strictPort', '--strict-port'],
		host: true,
		valueFlags: viteValueFlags,
	},
	{
		name: 'astro',
		bins: ['astro'],
		serving: ['dev', 'preview'],
		bareServes: false,
		portFlags: ['--port'],
		host: true,
		valueFlags: ['--root', '--config', '--site', '--base'],
	},
	{
		name: 'ng serve',
		bins: ['ng'],
		serving: ['serve', 's', 'dev'],
		bareServes: false,
		portFlags: ['--port'],
		host: true,
		valueFlags: ['--configuration', '-c', '--project'],
	},
	{
		name: 'react-router',
		bins: ['react-router'],
		serving: ['dev'],
		bareServes: false,
		portFlags: ['--port'],
		strict: ['--strictPort', '--strict-port'],
		host: true,
		valueFlags: viteValueFlags,
	},
	{
		name: 'rsbuild',
		bins: ['rsbuild'],
		serving: ['dev', 'preview'],
		bareServes: true,
		portFlags: ['--port'],
		host: true,
		valueFlags: ['--config', '-c', '--env-mode', '--root', '-r', '--environment'],
	},
	{
		name: 'expo',
		bins: ['expo'],
		serving: ['start'],
		bareServes: true,
		// Expo's --host means lan/tunnel/localhost, not an address: left alone.
		portFlags: ['--port', '-p'],
		host: false,
		valueFlags: ['--host', '-m'],
	},
];

export const frameworkOfBin = (bin: string) => frameworks.find(f => f.bins.includes(binName(bin)));

/** `./node_modules/.bin/vite` and `vite` are the same tool. */
export const binName = (word: string) => word.slice(word.lastIndexOf('/') + 1);

const hasFlag = (args: readonly string[], flags: readonly string[]) =>
	args.some(arg => flags.some(flag => arg === flag || arg.startsWith(`${flag}=`)));

/** The arguments to add to `<bin> ...args` so it serves on `port`; undefined when it must be left alone. */
export function frameworkArgs(framework: Framework, args: readonly string[], port: number): string[] | undefined {
	if (!serves(framework, args)) return undefined;
	if (hasFlag(args, framework.portFlags)) return undefined;
	const added = ['--port', String(port)];
	if (framework.strict && !hasFlag(args, framework.strict)) added.push(framework.strict[0]!);
	if (framework.host && !hasFlag(args, ['--host'])) added.push('--host', hostBindAddress());
	return added;
}

function serves(framework: Framework, args: readonly string[]): boolean {
	let first: string | undefined;
	for (let i = 0; i < args.length; i++) {
		const arg = args[i]!;
		if (arg === '--') break;
		if (arg.startsWith('-')) {
			if (framework.valueFlags.includes(arg)) i++;
			continue;
		}
		first = arg;
		break;
	}
	if (first === undefined) return framework.bareServes;
	if (framework.serving.includes(first)) return true;
	return Boolean(framework.pathServes) && /^[./~]/.test(first);
}
