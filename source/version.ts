import pkg from '../package.json' with {type: 'json'};

// Bundled into dist/ at build time (no package.json read at start-up).
export const {version} = pkg;
