import type { OrderSync } from './orderSync.js';
import { SW_MESSAGES } from './protocol.js';
import type { ExtendableMessageEventLike, ServiceWorkerScope } from './scope.js';

/** Answers the page's messages; replies go to the MessagePort the page sent along. */
export function listenForMessages(
  scope: ServiceWorkerScope,
  orders: Pick<OrderSync, 'replay' | 'status' | 'dismissRejected' | 'retryRejected'>,
): void {
  scope.addEventListener('message', (event) => {
    const message = event.data as { type?: unknown; ids?: unknown; id?: unknown } | null;
    const type = typeof message === 'object' && message ? message.type : undefined;
    switch (type) {
      case SW_MESSAGES.SKIP_WAITING:
        event.waitUntil(scope.skipWaiting());
        break;
      case SW_MESSAGES.SYNC_NOW:
        reply(event, async () => {
          const { replayed, remaining, rejected } = await orders.replay();
          return { replayed, remaining, rejected };
        });
        break;
      case SW_MESSAGES.QUEUE_STATUS:
        reply(event, () => orders.status());
        break;
      case SW_MESSAGES.ONLINE:
        reply(event, async () => {
          await orders.replay();
          return { ok: true };
        });
        break;
      case SW_MESSAGES.DISMISS_REJECTED: {
        const ids = Array.isArray(message?.ids) ? message.ids.filter(Number.isSafeInteger) : [];
        reply(event, async () => {
          await orders.dismissRejected(ids as number[]);
          return orders.status();
        });
        break;
      }
      case SW_MESSAGES.RETRY_REJECTED: {
        const id = message?.id;
        reply(event, () =>
          Number.isSafeInteger(id)
            ? orders.retryRejected(id as number)
            : Promise.resolve({ outcome: 'not_found', status: 0 }),
        );
        break;
      }
      default:
      // Other messages belong to the app's own handlers.
    }
  });
}

function reply(event: ExtendableMessageEventLike, work: () => Promise<unknown>): void {
  const port = event.ports[0];
  event.waitUntil(
    work().then(
      (answer) => port?.postMessage(answer),
      (error: unknown) =>
        port?.postMessage({
          error: {
            code: 'storage',
            message: error instanceof Error ? error.message : String(error),
          },
        }),
    ),
  );
}
