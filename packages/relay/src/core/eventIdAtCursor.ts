import type { LogReader } from '../store/LogReader.js';

/**
 * The `event_id` at a position the relay moves a client's cursor to (caught_up, snapshot, a
 * poll's `last_seq`): the client keeps it as its `since_event`, so it can prove a log that
 * went back later even when it did not apply that event itself (another tenant's, one it was
 * not sent). An opaque id, no data. None for an empty log or a seq retention removed.
 */
export async function eventIdAtCursor(
  reader: LogReader,
  outlet: string,
  seq: number,
): Promise<string | undefined> {
  if (seq <= 0 || !reader.eventIdAt) return undefined;
  return reader.eventIdAt(outlet, seq);
}
