import {Document, YAMLMap, YAMLSeq, isMap, parseDocument} from 'yaml';
import {hostnameFor} from '../names.js';
import {traefikNetwork, entrypointName, managedLabel} from '../traefik/static-files.js';
import {composeTags, type ComposeFile} from './compose-file.js';
import {containerNameFor, routerName, type WorktreeOf} from './names.js';
import {protocolOf, type Protocol, type PublishedPort, type TcpPort} from './tcp-ports.js';

/**
 * The override that `port up` writes (`.port/override.yml`) to make every worktree's stack
 * reachable through Traefik instead of through host ports.
 */

/** One published port that Traefik routes: `<worktree>.<domain>:<published>` -> container `<target>`. */
export interface Route extends PublishedPort {
	/** Router and Traefik service name: unique per repository + worktree + service + port. */
	router: string;
}

export interface OverrideContext extends WorktreeOf {
	domain: string;
	/** Per published port: "http" (routed by Traefik) or "tcp" (a loopback host port). */
	protocols?: Record<string, Protocol>;
	/** Host ports chosen for tcp ports, by published port (0 until chosen). */
	tcpHostPorts?: Record<string, number>;
	/** Publish tcp ports on every interface, not loopback only. */
	lan?: boolean;
}

export interface OverridePlan {
	routes: Route[];
	/** Non-HTTP ports: published on a per-worktree host port, not routed. */
	tcp: TcpPort[];
	/** Published udp/sctp ports and services with network_mode: not routed, explained. */
	notes: string[];
	/** The YAML text of `.port/override.yml`. */
	text: string;
	/** The same content as data (tags resolved: `!reset []` is `[]`), for tests and validation. */
	data: Record<string, unknown>;
}

/**
 * Builds the override: host port bindings removed with `ports: !reset []` (Compose 2.18+),
 * each routed service joined to the external traefik-network with one HTTP router per
 * published port, and fixed container names suffixed with the worktree and a repository hash
 * (the old name stays reachable as a network alias on the service's own networks).
 */
export function planOverride(compose: ComposeFile, ctx: OverrideContext): OverridePlan {
	const notes = [...compose.notes];
	const routes: Route[] = [];
	const tcp: TcpPort[] = [];
	const seen = new Map<number, string>();
	const hostname = hostnameFor(ctx.worktree, ctx.domain);
	const doc = new Document({services: {}});
	const services = doc.get('services') as YAMLMap;
	let joinsNetwork = false;

	for (const service of compose.services) {
		const node = new YAMLMap();
		const networks: Record<string, {aliases?: string[]}> = {};
		if (service.containerName !== undefined) {
			node.set('container_name', containerNameFor(service.containerName, ctx));
			// Other services reach it by the fixed name: keep that name as an alias on its own networks.
			if (service.networkMode === undefined) {
				for (const network of service.networks) if (network !== traefikNetwork) networks[network] = {aliases: [service.containerName]};
			}
		}
		if (service.networkMode !== undefined && service.hasPorts) {
			notes.push(`service ${service.name} uses network_mode "${service.networkMode}": its ports are left as they are and not routed`);
		} else if (service.hasPorts) {
			const reset = new YAMLSeq();
			reset.tag = '!reset';
			reset.flow = true;
			node.set('ports', reset);
			const labels: Record<string, string> = {};
			const bindings: string[] = [];
			for (const port of service.ports) {
				if (port.protocol !== 'tcp') {
					notes.push(`service ${service.name}: ${port.published}:${port.target}/${port.protocol} is not published (Traefik routes HTTP over tcp only)`);
					continue;
				}
				const owner = seen.get(port.published);
				if (owner !== undefined) {
					notes.push(`service ${service.name}: port ${port.published} is already routed to service ${owner}; skipped`);
					continue;
				}
				seen.set(port.published, service.name);
				if (protocolOf(port.published, port.target, service.image, ctx.protocols) === 'tcp') {
					const hostPort = ctx.tcpHostPorts?.[String(port.published)] ?? 0;
					tcp.push({service: service.name, published: port.published, target: port.target, hostPort});
					bindings.push(`${ctx.lan ? '' : '127.0.0.1:'}${hostPort}:${port.target}`);
					continue;
				}
				const router = routerName(ctx, service.name, port.published);
				routes.push({service: service.name, published: port.published, target: port.target, router});
				labels[`traefik.http.routers.${router}.rule`] = `Host(\`${hostname}\`)`;
				labels[`traefik.http.routers.${router}.entrypoints`] = entrypointName(port.published);
				labels[`traefik.http.routers.${router}.service`] = router;
				labels[`traefik.http.services.${router}.loadbalancer.server.port`] = String(port.target);
			}
			if (bindings.length > 0) {
				// `!override` (Compose 2.24.4+) replaces the base file's list; `!reset` cannot add entries.
				const override = new YAMLSeq();
				override.tag = '!override';
				override.flow = true;
				for (const binding of bindings) override.add(binding);
				node.set('ports', override);
			}
			if (Object.keys(labels).length > 0) {
				joinsNetwork = true;
				// Networks are merged by name; a service without `networks` is on `default`.
				for (const network of service.networks) networks[network] ??= {};
				networks[traefikNetwork] = {};
				node.set('labels', {'traefik.enable': 'true', [managedLabel]: 'true', 'traefik.docker.network': traefikNetwork, ...labels});
			}
		}
		if (Object.keys(networks).length > 0) node.set('networks', networks);
		if (node.items.length > 0) services.set(service.name, node);
	}
	if (joinsNetwork) doc.set('networks', {[traefikNetwork]: {external: true, name: traefikNetwork}});
	const header = `# Generated by port for worktree "${ctx.worktree}" (${hostname}). Do not edit: 'port up' rewrites it.\n`;
	const text = header + doc.toString({lineWidth: 0});
	const data = parseOverride(text);
	if (!isMap(doc.contents)) throw new Error('override is not a mapping');
	return {routes, tcp, notes, text, data};
}

/** Parses an override file with the Compose tags resolved (`!reset []` -> `[]`). */
export function parseOverride(text: string): Record<string, unknown> {
	return parseDocument(text, {customTags: composeTags}).toJS() as Record<string, unknown>;
}
