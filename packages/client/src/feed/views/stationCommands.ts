import type { FeedOutbox } from '../kitchenFeed.js';
import type { ViewEntry } from './ticketView.js';

type CommandOutbox = Pick<FeedOutbox, 'enqueue'>;

/**
 * A station's bump: each of its lines still to make goes to `ready` (`order:item_update`,
 * with the line's version, so a bump from a screen that saw an older ticket is answered
 * `stale` rather than applied twice). Held lines stay: they must be fired first.
 */
export async function bumpLines(outbox: CommandOutbox, entry: ViewEntry): Promise<number> {
  let sent = 0;
  for (const line of entry.lines) {
    if (line.status !== 'pending' && line.status !== 'preparing') continue;
    await outbox.enqueue('order:item_update', {
      order_id: entry.ticket.order_id,
      line_id: line.line_id,
      status: 'ready',
      version: line.version,
    });
    sent++;
  }
  return sent;
}

/** Un-bumps a station's ready lines (`order:recall`, within the relay's recall window). */
export async function recallLines(outbox: CommandOutbox, entry: ViewEntry): Promise<number> {
  let sent = 0;
  for (const line of entry.lines) {
    if (line.status !== 'ready') continue;
    await outbox.enqueue('order:recall', {
      order_id: entry.ticket.order_id,
      line_id: line.line_id,
      version: line.version,
    });
    sent++;
  }
  return sent;
}
