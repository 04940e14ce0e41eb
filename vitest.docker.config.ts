import {defineConfig} from 'vitest/config';

/**
 * The real-engine suite (npm run test:docker): needs a reachable Docker engine with Compose v2
 * (see .ci/docker/setup.sh; export DOCKER_CONFIG as it prints) and the local test images.
 * Files run one after another: they share the engine, host ports 3000/5432 and traefik-network.
 */
export default defineConfig({
	test: {
		include: ['test/docker/**/*.test.ts'],
		testTimeout: 120_000,
		hookTimeout: 120_000,
		fileParallelism: false,
		maxWorkers: 1,
	},
});
