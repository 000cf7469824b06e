// Workbox reads `self` when its modules load, and idb needs the IndexedDB globals; in Node the
// worker global is globalThis. Imported first, so it runs before those modules do.
import 'fake-indexeddb/auto';

const scope = globalThis as { self?: unknown };
scope.self ??= globalThis;
