import { defineProject } from 'vitest/config';
import { workspaceAlias } from '../../vitest.shared';

// The relay's protocol and bad-input tests again, on the PostgreSQL store: one PostgreSQL 15
// per file (test-support/postgres.ts), a fresh database per relay.
export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'relay-postgres',
    include: [
      'test/badInput.test.ts',
      'test/publish.test.ts',
      'test/republish.test.ts',
      'test/eventIdReuse.test.ts',
      'test/sync.test.ts',
      'test/cursorEventId.test.ts',
      'test/obsoleteAck.test.ts',
      'test/auth.test.ts',
      'test/limits.test.ts',
      'test/tokenExpiry.test.ts',
      'test/kitchen-itemUpdates.test.ts',
      'test/kitchen-recall.test.ts',
      'test/kitchen-updateVersion.test.ts',
      'test/retention-retriedCommands.test.ts',
      'test/board-guestData.test.ts',
      'test/postgres-*.test.ts',
    ],
    env: { KS_TEST_STORE: 'postgres' },
    restoreMocks: true,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
