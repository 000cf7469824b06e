import type { KitchenOrder } from '@kitchen-sync/client/feed';
import type { OrderOutbox, RejectedEntry } from '@kitchen-sync/client/outbox';
import { ticketLabel } from '../../shared/orderNumber';

/** What the command was, in the kitchen's words. */
function what(entry: RejectedEntry): string {
  const payload = entry.payload as { status?: string; line_id?: string };
  if (entry.type === 'order:item_update') return payload.status === 'ready' ? 'Bump' : 'Mulai';
  if (entry.type === 'order:recall') return 'Recall';
  if (entry.type === 'order:update') return `Status ${payload.status}`;
  return entry.type;
}

/** Why it did not land: `stale` names what the other screen (or the POS) did first. */
function why(entry: RejectedEntry): string {
  if (entry.error.code !== 'stale') return entry.error.code;
  const lineId = (entry.payload as { line_id?: string }).line_id;
  const order = entry.error.order;
  const now = lineId ? order?.items.find((item) => item.line_id === lineId)?.status : order?.status;
  return `layar lain lebih dulu${now ? `: ${now}` : ''}`;
}

/**
 * "Tidak terkirim": what the relay refused, so a cook whose bump did not land sees it and
 * can send it again (on the current version, for a stale one) or drop it.
 */
export function showRejected(
  panel: HTMLElement,
  outbox: OrderOutbox,
  orders: () => readonly KitchenOrder[],
): void {
  const list = panel.querySelector('ul')!;
  outbox.rejected.subscribe((entries) => {
    panel.hidden = entries.length === 0;
    list.replaceChildren(
      ...entries.map((entry) => {
        const order = orders().find((o) => o.order_id === entry.order_id) ?? entry.error.order;
        const li = document.createElement('li');
        li.dataset.testid = 'rejected-entry';
        li.dataset.orderId = entry.order_id;
        li.dataset.code = entry.error.code;
        const text = document.createElement('span');
        text.textContent = `${order ? ticketLabel(order) : entry.order_id.slice(0, 8)} · ${what(entry)} · ${why(entry)}`;
        const retry = document.createElement('button');
        retry.type = 'button';
        retry.dataset.retry = String(entry.id);
        retry.textContent = 'Kirim lagi';
        const discard = document.createElement('button');
        discard.type = 'button';
        discard.className = 'ghost';
        discard.dataset.discard = String(entry.id);
        discard.textContent = 'Tutup';
        li.append(text, retry, discard);
        return li;
      }),
    );
  });
  list.addEventListener('click', (event) => {
    const { retry, discard } = (event.target as HTMLElement).dataset;
    if (retry) void outbox.retry(Number(retry)).catch(() => {});
    if (discard) void outbox.discard(Number(discard)).catch(() => {});
  });
}
