import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'packaging',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.test.ts'],
    restoreMocks: true,
    // npm install of a fresh app dominates: about a minute on two shared cores.
    hookTimeout: 240_000,
    testTimeout: 60_000,
  },
});
