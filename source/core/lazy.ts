import nodeModule from 'node:module';

/**
 * Synchronous, on-first-use loading of Node built-ins, for sync code paths only (async code uses
 * `await import()`). A static `import` is evaluated at start-up by every command that reaches
 * the module; node:crypto, node:os and node:child_process cost several ms that `port list` would
 * pay for nothing (bench/startup.mjs). The callers are sync on purpose: names and hashes are
 * computed inside sync code, the registry's write runs inside its sync critical section, and
 * processStartTime backs the sync liveness checks. (A namespace-style import: dist/ chunks get a
 * `createRequire` banner from scripts/build.mjs and must not see a second declaration of it.)
 */
export const lazyRequire = nodeModule.createRequire(import.meta.url);
