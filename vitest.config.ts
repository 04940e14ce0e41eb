import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.{ts,tsx}'],
		exclude: ['test/docker/**', 'node_modules/**'],
		testTimeout: 30_000,
		hookTimeout: 30_000,
		// Tests spawn real processes and bind real ports; two workers suit the 2-core machines.
		maxWorkers: 2,
	},
});
