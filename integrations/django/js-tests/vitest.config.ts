import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import { workspaceAlias } from '../../../vitest.shared';

export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'django',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['**/*.test.ts'],
    environment: 'node',
    // Each file starts its own daphne and Redis; two cores are shared by everyone.
    fileParallelism: false,
    restoreMocks: true,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
