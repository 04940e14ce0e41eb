import {mkdirSync} from 'node:fs';
import path from 'node:path';
import {writeFileAtomic} from '../atomic-write.js';
import {fsError} from '../errors.js';
import {readComposeFile, type ComposeFile} from './compose-file.js';
import {resolveModel} from './model.js';
import type {ComposeContext} from './context.js';
import {parseOverride, planOverride, type OverridePlan} from './override-plan.js';
import {chooseHostPorts, previousHostPorts} from './tcp-ports.js';
import {requireTcpCompose} from './version.js';

/** A worktree's `.port/override.yml`: planned from its compose file, then written. */

/** Reads the compose file and builds the override (pure: nothing is written). Config errors exit 3. */
export function planFor(ctx: ComposeContext, tcpHostPorts?: Record<string, number>, model?: ComposeFile): OverridePlan {
	return planOverride(model ?? readComposeFile(ctx.composeFile), {repoRoot: ctx.repoRoot, worktree: ctx.worktree, domain: ctx.domain, protocols: ctx.protocols, lan: ctx.lan, tcpHostPorts});
}

/**
 * The plan from the model Compose resolves (all files, `extends`, `include:`, profiles), with a
 * host port for every tcp port: kept from the last `port up` while free.
 */
export async function planWithTcpPorts(ctx: ComposeContext, version: string, signal?: AbortSignal): Promise<OverridePlan> {
	const model = await resolveModel(ctx, signal);
	const first = planFor(ctx, undefined, model);
	if (first.tcp.length === 0) return first;
	requireTcpCompose(version, first.tcp);
	const chosen = await chooseHostPorts(first.tcp, ctx, previousHostPorts(ctx.overrideFile, parseOverride));
	return planFor(ctx, Object.fromEntries(chosen.map(t => [String(t.published), t.hostPort])), model);
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
