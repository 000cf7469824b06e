import type { CentralCursor, Cursor } from './types.js';

/**
 * `next`, keeping the id of the event applied at its seq when a caught_up or snapshot only
 * confirmed the position: the relay still checks it there (its log may have gone back). A
 * first poll's events come before the answer names their epoch (`prev.epoch` null).
 */
export const carrySinceEvent = <C extends CentralCursor & { epoch?: string | null }>(
  prev: C,
  next: C,
): C =>
  next.since_event || next.since !== prev.since || (prev.epoch && prev.epoch !== next.epoch)
    ? next
    : { ...next, since_event: prev.since_event };

/**
 * The cursor as the relay takes it (socket auth, poll query): none without an epoch. A cursor
 * stored by an older release has no `since_event` and resumes as it did.
 */
export const cursorFields = ({ since, epoch, since_event }: Cursor) =>
  since > 0 && epoch
    ? { since, epoch, ...(typeof since_event === 'string' && { since_event }) }
    : {};

/**
 * The `event_id` a caught_up, snapshot or poll answer names at the seq it moves the cursor to
 * (relays before it name none): kept as `since_event`, the cursor can prove a log that went
 * back even when this client was not sent that event (another tenant's).
 */
export const eventIdOf = (message: { event_id?: unknown }): string | undefined =>
  typeof message.event_id === 'string' && message.event_id.length <= 64
    ? message.event_id
    : undefined;

/** The position `since`, naming the event there when one is known. */
export const positionAt = (since: number, since_event: string | undefined): CentralCursor =>
  since_event ? { since, since_event } : { since };

/** The cursor a caught_up or snapshot moves to, with the id it names there. */
export const cursorAt = (message: { seq: number; epoch: string; event_id?: unknown }): Cursor => ({
  ...positionAt(message.seq, eventIdOf(message)),
  epoch: message.epoch,
});

/**
 * A central cursor as a source gives it or a feed stored it; a seq alone (stored by an older
 * release, or by an app that keeps only the seq) resumes by `since` alone, as it did.
 */
export const centralCursorOf = (value: unknown): CentralCursor | null => {
  const at = (typeof value === 'number' ? { since: value } : value) as
    | { since?: unknown; since_event?: unknown }
    | null
    | undefined;
  return typeof at?.since === 'number'
    ? positionAt(at.since, eventIdOf({ event_id: at.since_event }))
    : null;
};
