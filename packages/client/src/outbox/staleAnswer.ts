import type { OrderState } from '@kitchen-sync/protocol';
import type { HttpAck } from './postEvent.js';
import type { OutboxEntry } from './types.js';

interface Versioned {
  line_id?: string;
  status?: string;
}

/** What a command names in the order: its line, or (an expo recall) the order itself. */
const named = (payload: unknown, order: OrderState | undefined) => {
  const lineId = (payload as Versioned).line_id;
  return lineId === undefined ? order : order?.items.find((item) => item.line_id === lineId);
};

/**
 * The relay's answer, where a `stale` one (protocol v1.1: the command named a version no
 * longer current, so nothing changed) that leaves the line or ticket short of what the command
 * wanted becomes the failure `stale`, with the order as the relay has it: a bump of a line
 * someone recalled or held meanwhile, a recall of what is still ready, a ticket step (v1.2
 * `order:update`) made on a status the ticket has left. Two screens bumping the same line are
 * answered `stale` too; the line is ready then, and nothing is missing.
 */
export function staleAsFailure(entry: OutboxEntry, ack: HttpAck): HttpAck {
  const { stale, order } = ack as { stale?: true; order?: OrderState };
  // A recall wants `preparing`; a line bump its status, or past it. A ticket step past its
  // status is the step nobody saw (ready → completed on a double tap): not delivered.
  const wanted = (entry.payload as Versioned).status;
  const now = named(entry.payload, order)?.status;
  const past = entry.type === 'order:item_update' && now === 'ready';
  return stale && now !== (wanted ?? 'preparing') && !past
    ? { ok: false, error: { code: 'stale', message: 'another change came first', order } }
    : ack;
}

/** The payload with the version its line (or order) has in `order`: "do it again, now". */
export function onVersionOf<P>(payload: P, order: OrderState | undefined): P {
  const version = named(payload, order)?.version;
  return version === undefined ? payload : { ...payload, version };
}
