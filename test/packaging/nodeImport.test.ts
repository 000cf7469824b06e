import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/packWorkspace.js';
import { run } from './support/run.js';

// SSR (SvelteKit layouts, Vite SSR, Next's pages router) imports the page's modules in plain
// Node: every page entry must load there from its build, resolving its dependencies as Node
// does (workbox-window's main is a UMD file, for one), and must not reach for the browser at
// import time. `./sw` is left out: it runs inside a service worker only, and Workbox's own
// ESM files use import paths Node cannot resolve.
const CLIENT = join(REPO_ROOT, 'packages', 'client');
const manifest = JSON.parse(readFileSync(join(CLIENT, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { default: string }>;
};
const PAGE_ENTRIES = Object.entries(manifest.exports)
  .filter(([entry]) => entry !== './sw' && entry !== './package.json')
  .map(([entry, target]) => [entry, typeof target === 'string' ? target : target.default]);

// Reads of these globals are recorded (typeof probes included); window, indexedDB and caches
// must stay untouched. socket.io-client's transports probe `document` and `navigator`.
const PROBE = `
const touched = new Set();
for (const name of ['window', 'document', 'indexedDB', 'navigator', 'self', 'localStorage', 'caches']) {
  Object.defineProperty(globalThis, name, {
    configurable: true,
    get() { touched.add(name); return undefined; },
  });
}
const entry = await import(process.argv[1]);
console.log(JSON.stringify({ exports: Object.keys(entry), touched: [...touched] }));
`;

describe('the client build imported in Node', () => {
  it.each(PAGE_ENTRIES)('%s loads without a browser', async (_entry, target) => {
    const out = await run(
      process.execPath,
      ['--input-type=module', '-e', PROBE, join(CLIENT, target)],
      { cwd: CLIENT },
    );
    const { exports, touched } = JSON.parse(out.trim().split('\n').at(-1)!) as {
      exports: string[];
      touched: string[];
    };
    expect(exports.length).toBeGreaterThan(0);
    expect(touched.filter((name) => ['window', 'indexedDB', 'caches'].includes(name))).toEqual([]);
  });
});

// A SvelteKit page creates its services in a module its server render also runs: creating
// one must not throw in Node (the master-data service did: a 500 on every prerendered page).
// What needs the browser fails later, with a code, when it is used. Nor may it hold the
// process: the script ends on its own (an outbox's BroadcastChannel and a feed's timer once
// kept it, and every server render's services, alive), so no process.exit() here.
const FACTORIES = `
const dist = process.argv[1];
const load = (entry) => import(dist + entry);
const core = await load('/index.js');
const { createOrderOutbox } = await load('/outbox/index.js');
const { createKitchenFeed } = await load('/feed/index.js');
const { createMasterDataService } = await load('/master-data/index.js');
const { createServiceWorkerManager } = await load('/sw-manager/index.js');
const relayUrl = 'https://relay.example:3001';
const threw = [];
const create = (name, make) => { try { return make(); } catch (error) { threw.push(name + ': ' + error.message); } };
const socket = create('socket', () => core.createSocketService({ outletId: 1, relayUrl, token: 't' }));
create('network', () => core.createNetworkMonitor({ centralHealthUrl: 'https://api.example/health', relayUrl }));
const outbox = create('outbox', () => createOrderOutbox({ socket, relayUrl, token: 't' }));
create('feed', () => createKitchenFeed({ socket, outbox, tenants: [1] }));
create('master-data', () => createMasterDataService({ baseUrl: 'https://api.example' }));
create('sw-manager', () => createServiceWorkerManager({ url: '/service-worker.js' }));
console.log(JSON.stringify({ threw }));
`;
// Node starts and loads the build in well under a second; only a held process takes this long.
const EXITS_WITHIN_MS = 15_000;

describe('the client services created in Node (server rendering)', () => {
  it('none throws when created, and none keeps Node running', async () => {
    const out = await run(
      process.execPath,
      ['--input-type=module', '-e', FACTORIES, join(CLIENT, 'dist')],
      { cwd: CLIENT, timeoutMs: EXITS_WITHIN_MS },
    );
    const { threw } = JSON.parse(out.trim().split('\n').at(-1)!) as { threw: string[] };
    expect(threw).toEqual([]);
  });
});
