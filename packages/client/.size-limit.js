// The budgets `pnpm size` checks, one per public entry and one per kind of page.
//
// Measured as an app that installed the packages gets them: esbuild is told to read no
// tsconfig.json, so `@kitchen-sync/protocol` resolves to its build through node_modules, not
// to its TypeScript sources through the workspace's tsconfig `paths` (which tree-shake better
// and once hid 0.7-4 kB per entry).
const asInstalled = (config) => ({ ...config, tsconfigRaw: '{}' });

export default [
  {
    name: 'core: @kitchen-sync/client (without socket.io-client)',
    path: 'dist/index.js',
    ignore: ['socket.io-client'],
    limit: '12 kB',
    gzip: true,
  },
  {
    name: 'core: @kitchen-sync/client with socket.io-client',
    path: 'dist/index.js',
    limit: '24.58 kB',
    gzip: true,
  },
  {
    // esbuild keeps the core's socket.io-client import for `{ uuidv7 }` alone (13.5 kB): a page
    // that only mints ids imports them from here.
    name: '@kitchen-sync/client/ids: uuidv7 alone',
    import: { 'dist/ids/index.js': '{ uuidv7 }' },
    limit: '0.31 kB',
    gzip: true,
  },
  {
    name: '@kitchen-sync/client/outbox',
    path: 'dist/outbox/index.js',
    limit: '10.44 kB',
    gzip: true,
  },
  {
    name: '@kitchen-sync/client/feed',
    path: 'dist/feed/index.js',
    limit: '9.80 kB',
    gzip: true,
  },
  {
    name: '@kitchen-sync/client/feed-views',
    path: 'dist/feed-views/index.js',
    limit: '3.62 kB',
    gzip: true,
  },
  {
    name: '@kitchen-sync/client/master-data',
    path: 'dist/master-data/index.js',
    limit: '8.80 kB',
    gzip: true,
  },
  {
    name: 'POS page: socket service, network monitor, outlet settings, outbox, socket.io-client',
    import: {
      'dist/index.js': '{ createSocketService, createNetworkMonitor, loadOutletSettings }',
      'dist/outbox/index.js': '{ createOrderOutbox }',
    },
    limit: '33.09 kB',
    gzip: true,
  },
  {
    name: 'Kitchen page: socket service, feed, outbox, socket.io-client',
    import: {
      'dist/index.js': '{ createSocketService, loadOutletSettings }',
      'dist/feed/index.js': '{ createKitchenFeed }',
      'dist/outbox/index.js': '{ createOrderOutbox }',
    },
    limit: '37.55 kB',
    gzip: true,
  },
  {
    name: 'Kitchen station/expo page: socket service, feed, feed views, outbox, socket.io-client',
    import: {
      'dist/index.js': '{ createSocketService, loadOutletSettings }',
      'dist/feed/index.js': '{ createKitchenFeed }',
      'dist/feed-views/index.js':
        '{ TicketBoard, createStationView, createExpoView, createAllDayCounts, createTicketClock, createRelayClock, bumpLines, recallLines }',
      'dist/outbox/index.js': '{ createOrderOutbox }',
    },
    limit: '40.22 kB',
    gzip: true,
  },
  {
    name: "sw (inside the app's service worker, with Workbox)",
    path: 'dist/sw/index.js',
    limit: '12 kB',
    gzip: true,
  },
  {
    name: 'sw-manager (with workbox-window)',
    path: 'dist/sw-manager/index.js',
    limit: '5 kB',
    gzip: true,
  },
].map((check) => ({ ...check, modifyEsbuildConfig: asInstalled }));
