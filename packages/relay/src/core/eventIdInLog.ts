import type { EventType } from '@kitchen-sync/protocol';
import { failure } from '../lib/failure.js';
import type { EventStore, StoredEvent } from '../store/EventStore.js';

/**
 * What a command's `event_id` already names in the log: nothing (undefined), the event this
 * same command logged for this order (a retry: answer as that event did), or `'other'`: an
 * event of another order or of another command. Answering that one as a retry would skip
 * this command unseen (a cancel carrying a bump's id), so it is refused: `reusedEventId`.
 */
export function eventIdInLog(
  store: EventStore,
  eventId: string | undefined,
  orderId: string,
  type: EventType,
): StoredEvent | 'other' | undefined {
  if (!eventId) return undefined;
  const seen = store.getEvent(eventId);
  if (!seen) return undefined;
  return seen.envelope.order_id === orderId && seen.envelope.type === type ? seen : 'other';
}

export const reusedEventId = () =>
  failure('invalid_payload', 'event_id is already used by another order or command');
