import {defineConfig} from 'vitest/config';

/**
 * The real-engine suite (npm run test:docker): needs a reachable Docker engine with Compose v2
 * (see .ci/docker/setup.sh; export DOCKER_CONFIG as it prints) and the local test images.
 * Files run one after another: they share the engine, host ports 3000/5432 and traefik-network.
 */
export default defineConfig({
	test: {
		// A temp root per run and per file, removed at the end; the run fails if a test's process outlives it.
		globalSetup: ['test/helpers/global-setup.ts'],
		setupFiles: ['test/helpers/per-file.ts'],
		include: ['test/docker/**/*.test.ts'],
		testTimeout: 120_000,
		hookTimeout: 120_000,
		fileParallelism: false,
		maxWorkers: 1,
	},
});
