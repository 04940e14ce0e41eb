import {docker} from '../docker/cli.js';

/**
 * The named volumes Compose made for `project` (it labels them com.docker.compose.project).
 * Empty when docker is missing or the engine does not answer: this only feeds a warning.
 * `cwd` must exist (after `port rename` the process's own directory may have moved away).
 */
export async function composeProjectVolumes(project: string, cwd: string): Promise<string[]> {
	try {
		const result = await docker(['volume', 'ls', '--quiet', '--filter', `label=com.docker.compose.project=${project}`], {cwd});
		if (result.exitCode !== 0) return [];
		return result.stdout.split('\n').map(l => l.trim()).filter(Boolean);
	} catch {
		return [];
	}
}
