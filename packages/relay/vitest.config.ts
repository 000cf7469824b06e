import { defineProject } from 'vitest/config';
import { workspaceAlias } from '../../vitest.shared';

export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'relay',
    include: ['test/**/*.test.ts'],
    // Those run in the relay-postgres project (vitest.postgres.config.ts).
    exclude: ['test/postgres-*.test.ts'],
    restoreMocks: true,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
