/**
 * `pnpm bench:master-data`: 10,000 products in 50 categories, synced from a local central API
 * (127.0.0.1) into IndexedDB, in Node with fake-indexeddb and in headless Chromium with real
 * IndexedDB. Prints the median of `--runs` runs (default 3) per figure.
 */
import 'fake-indexeddb/auto';
import { fileURLToPath } from 'node:url';
import { IDBFactory } from 'fake-indexeddb';
import { TestBrowser } from '../test/browser/harness.js';
import { MasterDataApiServer } from './master-data/apiServer.js';
import './master-data/browserEntry.js';
import { type Figures, runScenario } from './master-data/scenario.js';

const PRODUCTS = 10_000;
const CATEGORIES = 50;
const PAGE_SIZE = 2_500;
const READS = 50;
const TARGETS: Partial<Record<keyof Figures, number>> = {
  initialSyncMs: 300,
  incrementalSyncMs: 30,
  categoryReadMs: 5,
};

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;
const onlyNode = process.argv.includes('--node-only');

async function main(): Promise<void> {
  const server = await MasterDataApiServer.start({
    products: PRODUCTS,
    categories: CATEGORIES,
    pageSize: PAGE_SIZE,
    script: fileURLToPath(new URL('./master-data/browserEntry.ts', import.meta.url)),
  });
  const options = {
    baseUrl: server.origin,
    pageSize: PAGE_SIZE,
    categories: CATEGORIES,
    reads: READS,
  };
  const results: Array<[string, Figures]> = [];
  try {
    const node: Figures[] = [];
    for (let i = 0; i < runs; i++) {
      node.push(await runScenario({ ...options, indexedDB: new IDBFactory() }));
    }
    results.push(['Node 20 + fake-indexeddb', medianOf(node)]);

    if (!onlyNode) {
      const browser = await TestBrowser.launch();
      try {
        const page = await browser.open(`${server.origin}/`);
        await page.waitForFunction(() => 'masterData' in globalThis, null, { timeout: 15_000 });
        const chromium: Figures[] = [];
        for (let i = 0; i < runs; i++) {
          chromium.push(await page.evaluate((o) => globalThis.masterData.runScenario(o), options));
        }
        results.push([
          `Chromium ${browser.context.browser()?.version() ?? ''} (headless)`,
          medianOf(chromium),
        ]);
      } finally {
        await browser.close();
      }
    }
  } finally {
    await server.close();
  }
  print(results);
}

function medianOf(all: Figures[]): Figures {
  const out = { ...all[0]! };
  for (const key of Object.keys(out) as Array<keyof Figures>) {
    const sorted = all.map((f) => f[key]).sort((a, b) => a - b);
    out[key] = sorted[Math.floor(sorted.length / 2)]!;
  }
  return out;
}

function print(results: Array<[string, Figures]>): void {
  const rows: Array<[string, keyof Figures]> = [
    [
      `initial sync, ${PRODUCTS} products (${PRODUCTS / PAGE_SIZE} pages, HTTP + write)`,
      'initialSyncMs',
    ],
    ['  of which IndexedDB writes only', 'initialWriteOnlyMs'],
    ['  one record per product instead (plain IndexedDB, 3 indexes)', 'rawFloorMs'],
    ['incremental sync, 100 changed products', 'incrementalSyncMs'],
    ['  of which IndexedDB writes only', 'incrementalWriteOnlyMs'],
    ['sync with nothing new (the hourly refresh)', 'unchangedSyncMs'],
    [`getProductsByCategory (${PRODUCTS / CATEGORIES} rows, median of ${READS})`, 'categoryReadMs'],
    [`getProducts (${PRODUCTS} rows, median)`, 'fullReadMs'],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(
    `master-data benchmark: ${PRODUCTS} products, ${CATEGORIES} categories, median of ${runs} runs\n`,
  );
  for (const [runtime, figures] of results) {
    console.log(`${runtime}`);
    for (const [label, key] of rows) {
      const target = TARGETS[key];
      const verdict =
        target === undefined
          ? ''
          : figures[key] <= target
            ? `  ≤ ${target} ms ok`
            : `  > ${target} ms TARGET MISSED`;
      console.log(
        `  ${label.padEnd(width)}  ${figures[key].toFixed(1).padStart(8)} ms${runtime.startsWith('Chromium') ? verdict : ''}`,
      );
    }
    console.log(
      `  rows read back: ${figures.products} products, ${figures.categoryRows} per category\n`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
