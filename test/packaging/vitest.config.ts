import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'packaging',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.test.ts'],
    restoreMocks: true,
    // Two files pack the packages, and a pack rewrites the package's README until it ends.
    fileParallelism: false,
    // npm install of a fresh app dominates (about 40 s with a warm npm cache); a cold cache
    // and the other projects running beside it on two cores can triple any step.
    hookTimeout: 240_000,
    testTimeout: 120_000,
  },
});
