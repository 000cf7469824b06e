import type { OrderQueueDb } from './orderQueueDb.js';
import { SW_MESSAGES } from './protocol.js';
import type { ServiceWorkerScope } from './scope.js';

/**
 * Tells every open window the queue's counts after a change. Changes that arrive while a
 * notice is being sent are folded into one more notice, so a burst costs two reads, not N.
 */
export function createQueueNotifier(scope: ServiceWorkerScope, db: OrderQueueDb): () => void {
  let running = false;
  let dirty = false;
  const send = async (): Promise<void> => {
    running = true;
    try {
      do {
        dirty = false;
        const summary = await db.counts();
        const windows = await scope.clients.matchAll({ type: 'window', includeUncontrolled: true });
        for (const client of windows)
          client.postMessage({ type: SW_MESSAGES.QUEUE_CHANGED, summary });
      } while (dirty);
    } catch {
      // A notice is a courtesy; the queue itself is already on disk.
    } finally {
      running = false;
    }
  };
  return () => {
    if (running) dirty = true;
    else void send();
  };
}
