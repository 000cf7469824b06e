import { createRequire } from 'node:module';

// src/ and dist/ both sit one level below the package root.
const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

export const RELAY_VERSION: string = pkg.version;
