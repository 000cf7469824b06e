import type { EventType, OrderState } from '@kitchen-sync/protocol';
import { failure } from '../lib/failure.js';
import type { EventStore } from '../store/EventStore.js';

/** The event a command's earlier attempt logged: what its retry is answered with. */
export interface LoggedAttempt {
  seq: number;
  /** The order's `version` after it. */
  version: number;
}

/**
 * What a command's `event_id` already names: nothing (undefined), the event this same command
 * logged for this order (a retry: answer as that event did), or `'other'`: an event of another
 * order or of another command. Answering that one as a retry would skip this command unseen
 * (a cancel carrying a bump's id), so it is refused: `reusedEventId`. An event retention
 * removed still counts while its order is stored (PrunedEvent): a retry whose ack was lost
 * must not be applied again because other tables' traffic rolled the log meanwhile.
 */
export function eventIdInLog(
  store: EventStore,
  eventId: string | undefined,
  orderId: string,
  type: EventType,
): LoggedAttempt | 'other' | undefined {
  if (!eventId) return undefined;
  const seen = store.getEvent(eventId);
  if (seen) {
    if (seen.envelope.order_id !== orderId || seen.envelope.type !== type) return 'other';
    return { seq: seen.envelope.seq, version: (seen.envelope.data as OrderState).version };
  }
  const pruned = store.getPrunedEvent?.(eventId);
  if (!pruned) return undefined;
  if (pruned.orderId !== orderId || pruned.type !== type) return 'other';
  return { seq: pruned.seq, version: pruned.version };
}

export const reusedEventId = () =>
  failure('invalid_payload', 'event_id is already used by another order or command');
