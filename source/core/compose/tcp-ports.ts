import {existsSync, readFileSync} from 'node:fs';
import {docker} from '../docker/cli.js';
import {canBind} from '../bind-probe.js';
import {shortHash} from '../names.js';

/**
 * Published ports that are not HTTP (databases, caches, brokers) are not routed through Traefik:
 * plain TCP cannot be routed by hostname. Each gets a per-worktree host port on loopback instead.
 */

/** Well-known non-HTTP container/published ports: Postgres, MySQL, Redis, MongoDB, AMQP, Kafka, Memcached, SQL Server, Oracle, Cassandra, ZooKeeper, NATS, MQTT, CockroachDB, Neo4j Bolt, ClickHouse native. */
export const tcpPorts = new Set([5432, 3306, 6379, 27017, 5672, 9092, 11211, 1433, 1521, 9042, 2181, 4222, 1883, 26257, 7687, 9000]);
/** Images that serve no HTTP at all: every port they publish is tcp. */
const tcpImage = /(^|\/)(postgres|postgis|pgvector|timescaledb|mysql|mariadb|percona|redis|redis-stack-server|valkey|keydb|mongo|memcached|mssql-server)([:@]|$)/;

export type Protocol = 'http' | 'tcp';

/** HTTP or tcp for one published port; `overrides` (config "ports": {"5433": "tcp"}) win. */
export function protocolOf(published: number, target: number, image: string | undefined, overrides: Record<string, Protocol> = {}): Protocol {
	const forced = overrides[String(published)];
	if (forced) return forced;
	if (tcpPorts.has(target) || tcpPorts.has(published)) return 'tcp';
	return image !== undefined && tcpImage.test(image.toLowerCase()) ? 'tcp' : 'http';
}

/** A port a service publishes in the compose file: `published` on the host, `target` in the container. */
export interface PublishedPort {
	service: string;
	published: number;
	target: number;
}

export interface TcpPort extends PublishedPort {
	/** The loopback host port this worktree's container publishes it on. */
	hostPort: number;
}

const free = async (port: number) => (await canBind(port, '127.0.0.1')) && (await canBind(port, '0.0.0.0'));

/** Host ports the compose project's containers publish now (`127.0.0.1:54329->5432/tcp`). */
async function publishedBy(project: string): Promise<number[]> {
	const ps = await docker(['ps', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Ports}}']);
	return ps.exitCode === 0 ? [...ps.stdout.matchAll(/:(\d+)->/g)].map(m => Number(m[1])) : [];
}

/** `127.0.0.1:<host>:<target>` entries of a previous override, by target: the ports to keep. */
export function previousHostPorts(overrideFile: string, parse: (text: string) => Record<string, unknown>): Map<string, number> {
	const out = new Map<string, number>();
	if (!existsSync(overrideFile)) return out;
	try {
		const services = (parse(readFileSync(overrideFile, 'utf8'))['services'] ?? {}) as Record<string, {ports?: unknown}>;
		for (const [service, node] of Object.entries(services)) {
			for (const entry of Array.isArray(node?.ports) ? node.ports : []) {
				const m = /^(?:[\d.]+:)?(\d+):(\d+)$/.exec(String(entry));
				if (m) out.set(`${service}:${m[2]}`, Number(m[1]));
			}
		}
	} catch {
		// an unreadable override: pick afresh
	}
	return out;
}

/**
 * Host ports for `wanted` ports of one worktree: the previous one while it stays free (or is this
 * project's own), else one derived from repo + worktree + service + port, else the next free.
 */
export async function chooseHostPorts(wanted: PublishedPort[], ctx: {repoRoot: string; worktree: string; name: string}, previous: Map<string, number>): Promise<TcpPort[]> {
	const out: TcpPort[] = [];
	let own: number[] | undefined;
	const usable = async (port: number) => {
		if (port < 1024 || port > 65_535 || out.some(t => t.hostPort === port)) return false;
		if (await free(port)) return true;
		own ??= await publishedBy(ctx.name);
		return own.includes(port);
	};
	for (const port of wanted) {
		const key = `${port.service}:${port.target}`;
		const seed = 50_000 + (Number.parseInt(shortHash(`${ctx.repoRoot}\n${ctx.worktree}\n${key}`, 6), 16) % 10_000);
		const candidates = [previous.get(key), ...Array.from({length: 200}, (_, i) => 50_000 + ((seed - 50_000 + i) % 10_000))];
		let chosen: number | undefined;
		for (const candidate of candidates) {
			if (candidate !== undefined && (await usable(candidate))) {
				chosen = candidate;
				break;
			}
		}
		if (chosen === undefined) throw new Error(`no free host port for ${key}`);
		out.push({...port, hostPort: chosen});
	}
	return out;
}
