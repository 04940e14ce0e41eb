import {createRequire} from 'node:module';

// package.json sits one level above both source/ and dist/.
export const {version} = createRequire(import.meta.url)('../package.json') as {version: string};
