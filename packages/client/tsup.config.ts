import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'ids/index': 'src/ids/index.ts',
    'outbox/index': 'src/outbox/index.ts',
    'feed/index': 'src/feed/index.ts',
    'feed-views/index': 'src/feed/views/index.ts',
    'master-data/index': 'src/master-data/index.ts',
    'sw/index': 'src/sw/index.ts',
    'sw-manager/index': 'src/sw-manager/index.ts',
  },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'browser',
  splitting: true,
  treeshake: true,
  // Dependencies stay imports so the app's bundler dedupes them and tree-shakes.
  external: [/^workbox-/, 'idb', 'socket.io-client', '@kitchen-sync/protocol'],
  // Dev-only checks are dropped from production builds of the app.
  define: {},
});
