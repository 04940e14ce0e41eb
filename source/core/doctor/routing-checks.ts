import {existsSync, statfsSync} from 'node:fs';
import path from 'node:path';
import {heldElsewhere} from '../bind-probe.js';
import {composeContext} from '../compose/context.js';
import {planFor} from '../compose/override-file.js';
import {readDnsState} from '../dns/state.js';
import {randomName, resolvesToLoopback} from '../dns/resolve.js';
import {lazyRequire} from '../lazy.js';
import {hostnameFor} from '../names.js';
import {portHome} from '../paths.js';
import {isStale, registryFacts} from '../supervise/stale.js';
import {readTraefikApplied} from '../traefik/static-files.js';
import {portsInUse} from '../traefik/container.js';
import {fail, ok, warnAt, type CheckResult, type DoctorContext} from './types.js';

const net = () => lazyRequire('node:net') as typeof import('node:net');

/** Every logical port registered or published by this worktree's compose file: free, or Traefik's. */
export async function portChecks(ctx: DoctorContext): Promise<CheckResult[]> {
	const ports = new Set(portsInUse(ctx.registry));
	if (ctx.project?.initialized) {
		try {
			for (const route of planFor(composeContext(ctx.project)).routes) ports.add(route.published);
		} catch {
			// no compose file, or a broken one: port up says why
		}
	}
	const traefiks = ctx.traefikRunning ? (readTraefikApplied()?.ports ?? []) : [];
	const results: CheckResult[] = [];
	for (const port of [...ports].sort((a, b) => a - b)) {
		if (traefiks.includes(port)) results.push(ok(`port ${port}`, "Traefik's entrypoint"));
		else if (!(await heldElsewhere(port, '127.0.0.1')) && !(await heldElsewhere(port, '0.0.0.0'))) results.push(ok(`port ${port}`, 'free for Traefik'));
		else results.push(fail(`port ${port}`, `port ${port} is held by another program; Traefik cannot route it`, `Stop that program (e.g. lsof -i :${port} or ss -ltnp 'sport = :${port}' shows it), or use another logical port.`));
	}
	return results;
}

/** Does a random name under the domain resolve to 127.0.0.1 (in hosts mode: this worktree's name)? */
export async function dnsCheck(ctx: DoctorContext): Promise<CheckResult> {
	const domain = ctx.domain;
	if (domain === 'localhost') return ok('dns', '*.localhost resolves to 127.0.0.1 without setup');
	const state = readDnsState();
	const own = ctx.project ? hostnameFor(ctx.project.worktree, domain) : undefined;
	const fix = `Run 'port install' (or set "domain": "localhost" in .port/config.jsonc: it needs no setup).`;
	if (state?.mode === 'hosts' && state.domain === domain) {
		const name = own ?? `port-check.${domain}`;
		if (await resolvesToLoopback(name)) return ok('dns', `${name} resolves to 127.0.0.1 (hosts-file block)`);
		return fail('dns', `${name} does not resolve to 127.0.0.1 (hosts-file mode lists only registered worktrees)`, `Run 'port install' again to refresh the block, or 'port enter' the worktree.`);
	}
	const name = randomName(domain);
	if (await resolvesToLoopback(name)) return ok('dns', `*.${domain} resolves to 127.0.0.1 (checked ${name})`);
	if (own && (await resolvesToLoopback(own))) return warnAt('dns', `${own} resolves, but other *.${domain} names do not (a hand-made hosts entry?)`, fix);
	return fail('dns', `${name} does not resolve to 127.0.0.1`, fix);
}

function listening(port: number): Promise<boolean> {
	return new Promise(resolve => {
		const socket = net().connect({port, host: '127.0.0.1'});
		const done = (value: boolean) => {
			socket.destroy();
			resolve(value);
		};
		socket.setTimeout(1000, () => done(false));
		socket.once('connect', () => done(true));
		socket.once('error', () => done(false));
	});
}

/** Status and start of the body of GET / through Traefik's entrypoint, with the service's Host. */
function throughTraefik(port: number, host: string): Promise<{status: number; body: string} | undefined> {
	const http = lazyRequire('node:http') as typeof import('node:http');
	return new Promise(resolve => {
		const request = http.get({host: '127.0.0.1', port, path: '/', headers: {host: `${host}:${port}`}, timeout: 2000}, response => {
			let body = '';
			response.setEncoding('utf8');
			response.on('data', (chunk: string) => (body += chunk.slice(0, 200)));
			response.on('end', () => resolve({status: response.statusCode ?? 0, body}));
		});
		request.on('timeout', () => request.destroy());
		request.on('error', () => resolve(undefined));
	});
}

/** Each registered host service (of this repository, else all): listening, and reachable through Traefik. */
export async function hostServiceChecks(ctx: DoctorContext): Promise<CheckResult[]> {
	const facts = registryFacts(ctx.registry);
	const mine = ctx.registry.hostServices.filter(s => !isStale(s, facts) && (!ctx.project || s.repo === ctx.project.repoRoot));
	const results: CheckResult[] = [];
	for (const s of mine) {
		const label = `host ${s.branch}:${s.logicalPort}`;
		if (!(await listening(s.actualPort))) {
			results.push(fail(label, `nothing listens on its port ${s.actualPort} (pid ${s.pid})`, 'The command must listen on $PORT; see its output (port ui).'));
			continue;
		}
		if (!ctx.traefikRunning) {
			results.push(warnAt(label, `listens on ${s.actualPort}; routing is off (Traefik is not running)`, `Use http://localhost:${s.actualPort} meanwhile.`));
			continue;
		}
		const answer = await throughTraefik(s.logicalPort, s.hostname);
		if (answer && answer.status !== 502 && answer.status !== 504 && !(answer.status === 404 && answer.body.startsWith('404 page not found'))) {
			results.push(ok(label, `listens on ${s.actualPort} and answers through Traefik (HTTP ${answer.status})`));
		} else {
			results.push(fail(label, `listens on ${s.actualPort}, but Traefik does not reach it (${answer ? `HTTP ${answer.status}` : 'no answer'})`, `Restart it with port run --replace; use http://localhost:${s.actualPort} meanwhile.`));
		}
	}
	return results;
}

/** Registry entries whose processes or directories are gone. */
export function staleCheck(ctx: DoctorContext): CheckResult {
	const facts = registryFacts(ctx.registry);
	const dead = ctx.registry.hostServices.filter(s => isStale(s, facts)).length;
	const gone = ctx.registry.projects.filter(p => !existsSync(p.path)).length;
	if (dead + gone === 0) return ok('registry', `${ctx.registry.hostServices.length} host service(s), ${ctx.registry.projects.length} compose project(s), none stale`);
	return warnAt('registry', `${dead} dead host service(s), ${gone} compose project(s) whose worktree is gone`, "Any port command sweeps dead host services (e.g. port list); run 'port down' for a project whose worktree is gone, or docker compose -p <project> down.");
}

/** Free space where port keeps its registry, Traefik files and logs. */
export function diskCheck(): CheckResult {
	let dir = portHome();
	while (!existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
	const stats = statfsSync(dir);
	const free = stats.bavail * stats.bsize;
	const text = `${(free / 1024 ** 3).toFixed(1)} GiB free at ${dir}`;
	if (free < 100 * 1024 ** 2) return fail('disk', text, 'Free some space: logs and the registry live there.');
	if (free < 1024 ** 3) return warnAt('disk', text, 'Less than 1 GiB left; service logs rotate at PORT_LOG_MAX_BYTES.');
	return ok('disk', text);
}
