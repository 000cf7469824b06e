import { defineProject } from 'vitest/config';
import { workspaceAlias } from '../../vitest.shared';

// Real Chromium through playwright-core: one browser at a time (2 shared cores), long bounds.
export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'client-browser',
    include: ['test/browser/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    restoreMocks: true,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
