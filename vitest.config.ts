import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		// A temp root per run and per file, removed at the end; the run fails if a test's process outlives it.
		globalSetup: ['test/helpers/global-setup.ts'],
		setupFiles: ['test/helpers/per-file.ts'],
		// Traefik is a fake here: probe no host port unless a test lists it (source/core/traefik/container.ts).
		env: {PORT_TEST_PROBED_PORTS: ''},
		include: ['test/**/*.test.{ts,tsx}'],
		exclude: ['test/docker/**', 'node_modules/**'],
		testTimeout: 30_000,
		hookTimeout: 30_000,
		// Tests spawn real processes and bind real ports; two workers suit the 2-core machines.
		maxWorkers: 2,
	},
});
