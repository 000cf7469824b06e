// The worker side of recipe.ts: docs/service-worker.md caches static assets in production only.
import { installKitchenSync } from '@kitchen-sync/client/sw';

declare const dev: boolean;

installKitchenSync({
  static: dev ? false : undefined,
  api: undefined,
  masterData: undefined,
  pages: undefined,
});
