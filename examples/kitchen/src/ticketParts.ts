import type { Ticket, TicketLine } from '@kitchen-sync/client/feed-views';
import { ticketLabel } from '../../shared/orderNumber';
import { fireTime } from './fireTime';

type LooseOrder = Ticket['order'] & { order_type?: unknown };

/** Table or order type, and who: what a cook needs to know where the food goes. */
export function orderMeta(order: LooseOrder): string {
  const type =
    typeof order.order_type === 'string'
      ? order.order_type
      : order.table !== undefined
        ? `Meja ${order.table}`
        : 'Bungkus';
  return [type, order.customer_name, order.source].filter(Boolean).join(' · ');
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text = '') {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

/** The card's head: number, rush mark, table/type, age. */
export function ticketHead(ticket: Ticket, age: HTMLElement): HTMLElement[] {
  const head = el('div', 'head');
  head.append(el('span', 'number', ticketLabel(ticket.order)), age);
  const meta = el('div', 'meta-line', orderMeta(ticket.order));
  if (ticket.rush) meta.prepend(el('span', 'rush', 'RUSH'));
  const parts = [head, meta];
  if (ticket.order.notes) parts.push(el('p', 'order-note', ticket.order.notes));
  return parts;
}

/** Lines with their modifiers and notes up front; held lines say so and when they fire. */
export function lineList(lines: readonly TicketLine[], showStation: boolean): HTMLElement {
  const list = el('ul', 'lines');
  for (const line of lines) {
    const li = el('li', 'line');
    li.dataset.testid = 'line';
    li.dataset.lineId = line.line_id;
    li.dataset.lineStatus = line.status;
    li.append(el('span', 'qty', `${line.quantity}×`), el('span', 'name', line.name));
    if (showStation && line.station) li.append(el('span', 'station', line.station));
    if (line.held) {
      const time = line.fire_at ? fireTime(line.fire_at) : '';
      const at = time ? ` s/d ${time}` : '';
      li.append(
        el('span', 'held', `DITAHAN${line.course !== null ? ` · course ${line.course}` : ''}${at}`),
      );
    }
    if (line.modifiers.length > 0) {
      const mods = el('div', 'mods');
      for (const modifier of line.modifiers) mods.append(el('span', 'mod', modifier));
      li.append(mods);
    }
    if (line.notes) li.append(el('div', 'note', line.notes));
    list.append(li);
  }
  return list;
}

export function button(label: string, testid: string): HTMLButtonElement {
  const node = el('button', '', label);
  node.type = 'button';
  node.dataset.testid = testid;
  return node;
}
