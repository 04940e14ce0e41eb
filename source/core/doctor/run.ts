import {PortError} from '../errors.js';
import {readDnsState} from '../dns/state.js';
import {detectProject} from '../git/project.js';
import {readRegistry} from '../registry/registry.js';
import {dnsCheck, diskCheck, hostServiceChecks, portChecks, staleCheck} from './routing-checks.js';
import {dockerChecks, projectChecks} from './setup-checks.js';
import type {CheckResult, DoctorContext} from './types.js';

/** Runs every check of `port doctor`, in the order they depend on each other. */
export async function runDoctor(cwd = process.cwd()): Promise<CheckResult[]> {
	let project;
	let configError: string | undefined;
	try {
		project = detectProject(cwd, {allowNameClash: true});
	} catch (error) {
		if (!(error instanceof PortError)) throw error;
		configError = error.message;
	}
	const ctx: DoctorContext = {project, configError, registry: readRegistry(), domain: project?.config.domain ?? readDnsState()?.domain ?? 'port', engine: false, traefikRunning: false};
	return [
		...projectChecks(ctx),
		...(await dockerChecks(ctx)),
		...(await portChecks(ctx)),
		await dnsCheck(ctx),
		...(await hostServiceChecks(ctx)),
		staleCheck(ctx),
		diskCheck(),
	];
}
