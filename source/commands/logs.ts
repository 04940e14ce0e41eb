import {closeSync, fstatSync, openSync, readSync} from 'node:fs';
import {ExitCode, PortError, UsageError} from '../core/errors.js';
import {followFile} from '../core/logs/follow.js';
import {detectProject} from '../core/git/project.js';
import {readRegistry, type HostService} from '../core/registry/registry.js';
import {cleanupStale, isStale} from '../core/supervise/stale.js';
import {parseCommand, positionals} from './parse.js';
import {linePrefix, prefixColor, stdoutWantsColor} from '../core/logs/prefix.js';

export const spec = {
	name: 'logs',
	usage: 'port logs [<service>|<port>] [-f] [-n <lines>]',
	help: `
  Prints the log of this worktree's host services (started by port run or port ui, in any
  terminal): one service by declared name or logical port, or all of them, each line
  prefixed with its name.

  Options
    -f, --follow      Keep printing what they write until they end (Ctrl+C stops)
    -n, --lines <n>   Lines of each log to print first (default 100)

  Examples
    $ port logs web -f
    $ port logs 3000 -n 20
`,
	flags: {follow: {type: 'boolean', default: false}, lines: {type: 'number', default: 100}},
} as const;


/** The last `count` lines of a file (reads at most its last 4 MiB) and the size they end at. */
function tailLines(file: string, count: number): {text: string; size: number} {
	let fd: number | undefined;
	try {
		fd = openSync(file, 'r');
		const size = fstatSync(fd).size;
		const length = Math.min(size, 4 * 1024 * 1024);
		const buffer = Buffer.alloc(length);
		readSync(fd, buffer, 0, length, size - length);
		const lines = buffer.toString('utf8').split('\n');
		const partialLast = lines.pop() ?? '';
		const keep = count <= 0 ? [] : lines.slice(-count);
		return {text: keep.map(line => `${line}\n`).join('') + (count > 0 ? partialLast : ''), size};
	} catch {
		return {text: '', size: 0};
	} finally {
		if (fd !== undefined) closeSync(fd);
	}
}

/** `-f`, `-n 5`, `-n5` as their long forms (parse.ts knows long flags only). */
const longFlags = (argv: string[]) =>
	argv.flatMap(arg => (arg === '-f' ? ['--follow'] : arg === '-n' ? ['--lines'] : /^-n\d+$/.test(arg) ? ['--lines', arg.slice(2)] : /^-(fn|nf)$/.test(arg) ? ['--follow', '--lines'] : [arg]));

export default async function logs(argv: string[]): Promise<number> {
	const cli = await parseCommand(spec, longFlags(argv));
	const [target] = positionals(spec, cli.input, 1);
	const usage = `Usage: ${spec.usage}`;
	const lines = cli.flags.lines;
	if (!Number.isInteger(lines) || lines < 0) throw new UsageError(`-n takes a whole number of lines (got ${String(lines)}).`, usage);
	const project = detectProject();
	if (!project) throw new PortError('Not inside a git repository.', ExitCode.config, 'Run port logs from a repository or one of its worktrees.');
	cleanupStale();
	const declared = project.config.services ?? {};
	let port: number | undefined;
	if (target !== undefined) {
		port = /^\d+$/.test(target) ? Number(target) : declared[target]?.port;
		if (port === undefined) throw new UsageError(`Unknown service "${target}" (a declared name or a logical port).`, usage);
	}
	const services = readRegistry()
		.hostServices.filter(s => s.repo === project.repoRoot && s.branch === project.worktree && (port === undefined || s.logicalPort === port) && !isStale(s))
		.sort((a, b) => a.logicalPort - b.logicalPort);
	if (services.length === 0) {
		const what = target === undefined ? project.worktree : `${project.worktree}:${port}${/^\d+$/.test(target) ? '' : ` (${target})`}`;
		throw new PortError(`No host service running for ${what}.`, ExitCode.failure, 'Start one with port run; port list shows what runs where.');
	}
	const nameOf = (s: HostService) => Object.entries(declared).find(([, d]) => d.port === s.logicalPort)?.[0] ?? String(s.logicalPort);
	const width = Math.max(...services.map(s => nameOf(s).length));
	const color = stdoutWantsColor();
	const writers = services.map((s, index) => {
		const label = nameOf(s).padEnd(width);
		const prefix = services.length === 1 ? '' : linePrefix(label, color ? prefixColor(index) : undefined);
		let pending = '';
		return {
			write(text: string) {
				if (prefix === '') return void process.stdout.write(text);
				const parts = (pending + text).split('\n');
				pending = parts.pop()!;
				for (const line of parts) process.stdout.write(`${prefix}${line}\n`);
			},
			flush() {
				if (pending !== '') process.stdout.write(`${prefix}${pending}\n`);
				pending = '';
			},
		};
	});
	const sizes = services.map((s, index) => {
		const {text, size} = tailLines(s.logFile, lines);
		writers[index]!.write(text);
		if (!cli.flags.follow) writers[index]!.flush();
		return size;
	});
	if (!cli.flags.follow) return ExitCode.ok;

	// Follow each until its service is gone from the registry (then its log is removed too).
	return new Promise(resolve => {
		const followers = services.map((s, index) => followFile(s.logFile, text => writers[index]!.write(text), {from: sizes[index], interval: 100}));
		const live = new Set(services.map(s => s.id));
		const finish = (code: number) => {
			clearInterval(poll);
			for (const f of followers) f.stop();
			for (const w of writers) w.flush();
			resolve(code);
		};
		const poll = setInterval(() => {
			const ids = new Set(readRegistry().hostServices.filter(s => !isStale(s)).map(s => s.id));
			for (const [index, s] of services.entries()) {
				if (!live.has(s.id) || ids.has(s.id)) continue;
				live.delete(s.id);
				followers[index]!.stop();
				writers[index]!.flush();
				process.stderr.write(`port: ${project.worktree}:${s.logicalPort} ended\n`);
			}
			if (live.size === 0) finish(ExitCode.ok);
		}, 500);
		process.once('SIGINT', () => finish(130));
		process.once('SIGTERM', () => finish(143));
	});
}
