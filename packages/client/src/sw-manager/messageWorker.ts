import { KitchenSyncError } from '../errors.js';
import type { Timers } from '../lib/environment.js';

/**
 * Posts `message` to `worker` with a MessageChannel and resolves with the reply. Bounded: a
 * worker that was replaced or killed mid-way never answers, and the page must not hang on it.
 */
export function messageWorker<T>(
  worker: Pick<ServiceWorker, 'postMessage'>,
  message: object,
  timeoutMs: number,
  timers: Pick<Timers, 'setTimeout' | 'clearTimeout'>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const channel = new MessageChannel();
    const timer = timers.setTimeout(() => {
      channel.port1.close();
      reject(
        new KitchenSyncError('timeout', `service worker did not answer within ${timeoutMs} ms`),
      );
    }, timeoutMs);
    channel.port1.onmessage = (event: MessageEvent) => {
      timers.clearTimeout(timer);
      channel.port1.close();
      const data = event.data as { error?: { code?: string; message?: string } } | null;
      if (data && typeof data === 'object' && data.error) {
        reject(
          new KitchenSyncError(
            data.error.code ?? 'internal',
            data.error.message ?? 'service worker error',
          ),
        );
      } else {
        resolve(event.data as T);
      }
    };
    worker.postMessage(message, [channel.port2]);
  });
}
