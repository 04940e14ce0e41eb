import {defineConfig} from 'vitest/config';

// The slow hardening suite (fault stress, file-system faults on tmpfs mounts): not part of
// `npm test`; run by .ci/run with `npx vitest run --config test/hardening/slow/vitest.config.ts`.
export default defineConfig({
	test: {
		// A temp root per run and per file, removed at the end; the run fails if a test's process outlives it.
		globalSetup: ['test/helpers/global-setup.ts'],
		setupFiles: ['test/helpers/per-file.ts'],
		// Traefik is a fake here: probe no host port unless a test lists it (source/core/traefik/container.ts).
		env: {PORT_TEST_PROBED_PORTS: ''},
		include: ['test/hardening/slow/**/*.slow.ts'],
		testTimeout: 600_000,
		hookTimeout: 120_000,
		maxWorkers: 1,
	},
});
