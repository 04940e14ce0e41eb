import {mkdirSync} from 'node:fs';
import path from 'node:path';
import {writeFileAtomic} from '../atomic-write.js';
import {fsError} from '../errors.js';
import {readComposeFile} from './compose-file.js';
import type {ComposeContext} from './context.js';
import {parseOverride, planOverride, type OverridePlan} from './override-plan.js';
import {chooseHostPorts, previousHostPorts} from './tcp-ports.js';
import {requireTcpCompose} from './version.js';

/** A worktree's `.port/override.yml`: planned from its compose file, then written. */

/** Reads the compose file and builds the override (pure: nothing is written). Config errors exit 3. */
export function planFor(ctx: ComposeContext, tcpHostPorts?: Record<string, number>): OverridePlan {
	return planOverride(readComposeFile(ctx.composeFile), {repoRoot: ctx.repoRoot, worktree: ctx.worktree, domain: ctx.domain, protocols: ctx.protocols, lan: ctx.lan, tcpHostPorts});
}

/** The plan with a host port for every tcp port: kept from the last `port up` while free. */
export async function planWithTcpPorts(ctx: ComposeContext, version: string): Promise<OverridePlan> {
	const first = planFor(ctx);
	if (first.tcp.length === 0) return first;
	requireTcpCompose(version, first.tcp);
	const chosen = await chooseHostPorts(first.tcp, ctx, previousHostPorts(ctx.overrideFile, parseOverride));
	return planFor(ctx, Object.fromEntries(chosen.map(t => [String(t.published), t.hostPort])));
}

/** Writes `.port/override.yml` atomically (only when it changed). */
export function writeOverride(ctx: ComposeContext, plan: OverridePlan): void {
	try {
		mkdirSync(path.dirname(ctx.overrideFile), {recursive: true});
	} catch (error) {
		throw fsError('create', path.dirname(ctx.overrideFile), error);
	}
	writeFileAtomic(ctx.overrideFile, plan.text);
}
