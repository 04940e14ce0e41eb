import {ExitCode, PortError} from '../errors.js';
import type {Registry} from '../registry/registry.js';
import {liveReservations, serviceKey} from '../registry/reservations.js';
import {findHostService, routeOwner} from '../supervise/conflicts.js';
import type {ProcessFacts} from '../supervise/process-info.js';
import {registryFacts} from '../supervise/stale.js';
import type {ComposeContext} from './context.js';
import type {WorktreeOf} from './names.js';
import type {Route} from './override-plan.js';

/** Who else already routes a port `port up` would route: another repository, or this worktree's host service. */

const conflictError = (hostname: string, port: number, owner: string) =>
	new PortError(`${hostname}:${port} is already routed for another repository: ${owner}`, ExitCode.conflict, 'Run port down there, or use another domain in .port/config.jsonc.');

/**
 * Why this worktree's own host service (`port run` / `port ui`, alive or still claiming its
 * port) already routes `logicalPort`, or undefined. Two routers with the same rule on one
 * entrypoint would make Traefik pick one arbitrarily; `port run` refuses the reverse case
 * (composeOwnsPort). Dead entries and dead claims count as absent.
 */
export function hostServiceRouting(registry: Registry, ctx: WorktreeOf, logicalPort: number, facts?: ProcessFacts): string | undefined {
	const label = `${ctx.worktree}:${logicalPort}`;
	const tail = `; stop it with port kill ${logicalPort} or change the port`;
	const service = findHostService(registry, ctx.repoRoot, ctx.worktree, logicalPort, facts);
	if (service) return `${label} is already routed to a host service (port ${service.owner}, pid ${service.pid})${tail}`;
	const key = serviceKey(ctx.repoRoot, ctx.worktree, logicalPort);
	const claim = liveReservations(registry, facts).find(r => r.key === key);
	if (claim) return `${label} is already routed to a host service being started (pid ${claim.pid})${tail}`;
	return undefined;
}

/** Throws the first conflict of `routes` (exit 4). */
export function checkConflicts(registry: Registry, ctx: ComposeContext, routes: Route[]): void {
	const facts = registryFacts(registry); // one pass for every route's checks (one ps on macOS)
	for (const route of routes) {
		const owner = routeOwner(registry, ctx.hostname, route.published, ctx.repoRoot, facts);
		if (owner) throw conflictError(ctx.hostname, route.published, owner);
		const ownService = hostServiceRouting(registry, ctx, route.published, facts);
		if (ownService) throw new PortError(ownService, ExitCode.conflict);
	}
}
