import type { OrderState, OrderStatus } from '@kitchen-sync/protocol';

/** The one button a cook presses: each status moves to the next. */
export const NEXT_STATUS: Partial<Record<OrderStatus, { status: OrderStatus; label: string }>> = {
  pending: { status: 'preparing', label: 'Mulai masak' },
  preparing: { status: 'ready', label: 'Siap diambil' },
  ready: { status: 'completed', label: 'Selesai' },
};

const LATE_MS = 10 * 60 * 1000;

export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, '0')}`;
}

export function shortNumber(orderNumber: string): string {
  const match = /^OFF-\d*?(\d{4})-(T\w+)$/.exec(orderNumber);
  return match ? `#${match[1]}` : orderNumber;
}

export function ticketCard(order: OrderState, now: number, recalled: boolean): HTMLElement {
  const card = document.createElement('article');
  card.className = 'ticket';
  card.dataset.testid = 'order-card';
  card.dataset.orderId = order.order_id;
  card.dataset.status = order.status;
  const age = now - Date.parse(order.created_at);
  card.dataset.late = String(age > LATE_MS && order.status !== 'completed');

  const head = document.createElement('div');
  head.className = 'head';
  const number = document.createElement('span');
  number.className = 'number';
  number.textContent = shortNumber(order.order_number);
  const ageText = document.createElement('span');
  ageText.className = 'age';
  ageText.dataset.createdAt = order.created_at;
  ageText.textContent = formatAge(age);
  head.append(number, ageText);

  const status = document.createElement('span');
  status.className = 'status';
  status.dataset.status = order.status;
  status.textContent = recalled ? `${order.status} · recall` : order.status;

  const items = document.createElement('ul');
  for (const item of order.items) {
    const li = document.createElement('li');
    li.textContent = `${item.quantity}× ${item.name}${item.notes ? ` (${item.notes})` : ''}`;
    items.append(li);
  }

  const who = document.createElement('span');
  who.className = 'who';
  who.textContent = [order.customer_name, order.source].filter(Boolean).join(' · ');

  card.append(head, status, items, who);
  const next = NEXT_STATUS[order.status];
  if (next) {
    const bump = document.createElement('button');
    bump.type = 'button';
    bump.dataset.testid = 'bump';
    bump.dataset.next = next.status;
    bump.textContent = next.label;
    card.append(bump);
  } else if (recalled) {
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'ghost';
    close.dataset.action = 'dismiss-recall';
    close.textContent = 'Tutup';
    card.append(close);
  }
  return card;
}

/** Ages tick every second without rebuilding the cards (a cook may be mid-tap). */
export function refreshAges(container: HTMLElement, now: number): void {
  for (const node of container.querySelectorAll<HTMLElement>('.age[data-created-at]')) {
    node.textContent = formatAge(now - Date.parse(node.dataset.createdAt ?? ''));
  }
}
