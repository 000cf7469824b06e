import { createMasterDataService } from '../../src/master-data/masterDataService.js';
import { MasterDataStore } from '../../src/master-data/masterDataStore.js';
import { parsePage } from '../../src/master-data/pageGuard.js';

export interface ScenarioOptions {
  baseUrl: string;
  indexedDB?: IDBFactory;
  pageSize: number;
  categories: number;
  /** Repetitions of each read, for a median. */
  reads: number;
}

export interface Figures {
  products: number;
  pages: number;
  initialSyncMs: number;
  initialWriteOnlyMs: number;
  incrementalSyncMs: number;
  /** The 100-product page of the incremental sync, already fetched, written through the store. */
  incrementalWriteOnlyMs: number;
  /** A sync that finds nothing new: what the hourly background refresh costs. */
  unchangedSyncMs: number;
  /** Plain IndexedDB, no library code: one record per product, in the same transactions. */
  rawFloorMs: number;
  categoryReadMs: number;
  categoryRows: number;
  fullReadMs: number;
}

/**
 * The measured path, the same code in Node (fake-indexeddb) and in Chromium (real IndexedDB):
 * initial sync, 100 changed products, reads by category and of the whole menu.
 */
export async function runScenario(options: ScenarioOptions): Promise<Figures> {
  const { baseUrl, pageSize } = options;
  const control = (path: string) => fetch(`${baseUrl}/control/${path}`, { method: 'POST' });
  await control('reset');
  const dbName = `bench-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const service = createMasterDataService({
    baseUrl,
    pageSize,
    dbName,
    ...(options.indexedDB ? { indexedDB: options.indexedDB } : {}),
  });
  try {
    await service.getCategories(); // opens the database outside the timings

    let t = performance.now();
    const initial = await service.preFetchData();
    const initialSyncMs = performance.now() - t;

    await control('change?count=100');
    t = performance.now();
    const incremental = await service.preFetchData();
    const incrementalSyncMs = performance.now() - t;
    if (incremental.applied.products !== 100) {
      throw new Error(`incremental sync applied ${incremental.applied.products} products`);
    }

    t = performance.now();
    await service.preFetchData();
    const unchangedSyncMs = performance.now() - t;

    const categoryTimes: number[] = [];
    let categoryRows = 0;
    for (let i = 0; i < options.reads; i++) {
      const id = (i % options.categories) + 1;
      t = performance.now();
      const rows = await service.getProductsByCategory(id);
      categoryTimes.push(performance.now() - t);
      categoryRows = rows.length;
    }

    const fullTimes: number[] = [];
    let products = 0;
    for (let i = 0; i < Math.max(3, Math.floor(options.reads / 5)); i++) {
      t = performance.now();
      products = (await service.getProducts()).length;
      fullTimes.push(performance.now() - t);
    }

    return {
      products,
      pages: Math.ceil(initial.applied.products / pageSize),
      initialSyncMs,
      ...(await writeOnly(options, dbName)),
      incrementalSyncMs,
      unchangedSyncMs,
      categoryReadMs: median(categoryTimes),
      categoryRows,
      fullReadMs: median(fullTimes),
    };
  } finally {
    await service.close();
  }
}

/**
 * The IndexedDB share of the initial and incremental syncs (the same pages, already fetched,
 * written again through the store), and what one record per product would cost instead:
 * plain IndexedDB with the three per-product indexes.
 */
async function writeOnly(
  options: ScenarioOptions,
  dbName: string,
): Promise<{ initialWriteOnlyMs: number; incrementalWriteOnlyMs: number; rawFloorMs: number }> {
  const control = (path: string) => fetch(`${options.baseUrl}/control/${path}`, { method: 'POST' });
  const fetchPages = async (from: number) => {
    const pages = [];
    for (let since = from, more = true; more; ) {
      const url = `${options.baseUrl}/api/products/?since_version=${since}&limit=${options.pageSize}`;
      const page = parsePage('products', await (await fetch(url)).json(), since);
      pages.push({ since, page });
      since = page.version;
      more = page.hasMore;
    }
    return pages;
  };
  await control('reset');
  const pages = await fetchPages(0);
  await control('change?count=100');
  const changed = await fetchPages(pages.at(-1)!.page.version);
  const factory = options.indexedDB ?? globalThis.indexedDB;
  const store = new MasterDataStore(factory, `${dbName}-write`);
  let initialWriteOnlyMs: number;
  let incrementalWriteOnlyMs: number;
  try {
    await store.readMeta();
    let t = performance.now();
    for (const { since, page } of pages) await store.applyPage('products', since, page, Date.now());
    initialWriteOnlyMs = performance.now() - t;
    t = performance.now();
    for (const { since, page } of changed) {
      await store.applyPage('products', since, page, Date.now());
    }
    incrementalWriteOnlyMs = performance.now() - t;
  } finally {
    await store.close();
  }

  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = factory.open(`${dbName}-raw`, 1);
    request.onupgradeneeded = () => {
      const products = request.result.createObjectStore('products', { keyPath: 'id' });
      for (const index of ['category_id', 'version', 'updated_at']) {
        products.createIndex(index, index);
      }
      request.result.createObjectStore('metadata', { keyPath: 'key' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    const t = performance.now();
    for (const { page } of pages) {
      const tx = db.transaction(['products', 'metadata'], 'readwrite', { durability: 'relaxed' });
      const products = tx.objectStore('products');
      for (const item of page.items) products.put(item);
      tx.objectStore('metadata').put({ key: 'products', version: page.version });
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
    }
    return { initialWriteOnlyMs, incrementalWriteOnlyMs, rawFloorMs: performance.now() - t };
  } finally {
    db.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
