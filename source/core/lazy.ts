import nodeModule from 'node:module';

/**
 * Synchronous, on-first-use loading of Node built-ins. A static `import` is evaluated at
 * start-up by every command that reaches the module; node:crypto and node:child_process (with
 * net, dgram and streams) cost several ms that `port list` would pay for nothing. See
 * bench/startup.mjs. (A namespace-style import: bundles that add their own `createRequire`
 * banner must not see a second declaration of that name.)
 */
export const lazyRequire = nodeModule.createRequire(import.meta.url);
