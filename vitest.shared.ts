import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Tests import workspace packages from source so they never depend on a stale build.
export const workspaceAlias = {
  '@kitchen-sync/protocol': here('./packages/protocol/src/index.ts'),
  '@kitchen-sync/client/sw-manager': here('./packages/client/src/sw-manager/index.ts'),
  '@kitchen-sync/client/sw': here('./packages/client/src/sw/index.ts'),
  '@kitchen-sync/client/ids': here('./packages/client/src/ids/index.ts'),
  '@kitchen-sync/client/outbox': here('./packages/client/src/outbox/index.ts'),
  '@kitchen-sync/client/feed-views': here('./packages/client/src/feed/views/index.ts'),
  '@kitchen-sync/client/feed': here('./packages/client/src/feed/index.ts'),
  '@kitchen-sync/client/master-data': here('./packages/client/src/master-data/index.ts'),
  '@kitchen-sync/client': here('./packages/client/src/index.ts'),
  '@kitchen-sync/relay': here('./packages/relay/src/index.ts'),
};
