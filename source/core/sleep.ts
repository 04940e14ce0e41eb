/**
 * Waits without blocking the event loop. (Not node:timers/promises: that module costs start-up
 * time on the `port list` path, and this is all we need of it.)
 */
export const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));
