import type { TicketBoard } from '@kitchen-sync/client/feed-views';
import { ticketLabel } from '../../shared/orderNumber';
import { type CancelNotice, CancelWatch } from './cancelWatch';
import type { ScreenMode } from './mode';
import { orderMeta } from './ticketParts';

/** How long the notice of a ticket nobody had started stays before it leaves by itself. */
export const SHORT_NOTICE_MS = 10_000;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text = '') {
  const node = document.createElement(tag);
  node.className = className;
  if (text) node.textContent = text;
  return node;
}

function noticeCard(notice: CancelNotice): HTMLElement {
  const { ticket } = notice;
  const card = el('article', 'cancel-notice');
  card.dataset.testid = 'cancel-notice';
  card.dataset.orderId = ticket.order_id;
  card.dataset.started = String(notice.started);
  card.setAttribute('role', 'alert');
  const head = el('div', 'head');
  head.append(el('span', 'number', ticketLabel(ticket.order)), el('strong', 'flag', 'DIBATALKAN'));
  const reason = el('p', 'reason', notice.reason ? `Alasan: ${notice.reason}` : 'Tanpa alasan');
  reason.dataset.testid = 'cancel-reason';
  const what = ticket.lines.map((line) => `${line.quantity}× ${line.name}`).join(', ');
  const dismiss = el('button', '', notice.started ? 'OK, makanan disisihkan' : 'OK');
  dismiss.type = 'button';
  dismiss.dataset.testid = 'cancel-dismiss';
  card.append(head, el('p', 'meta-line', orderMeta(ticket.order)), el('p', 'what', what), reason);
  if (notice.started) card.append(el('p', 'advice', 'Hentikan masak. Jangan diserahkan.'));
  card.append(dismiss);
  return card;
}

/**
 * Where cancelled tickets go instead of vanishing: a card per ticket, in red above the
 * tickets, with the reason. One that was being cooked stays until a cook taps OK (the food
 * on the pass must not go out); one nobody started leaves by itself after a short while.
 */
export class CancelPanel {
  readonly #container: HTMLElement;
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(container: HTMLElement) {
    this.#container = container;
    container.addEventListener('click', (event) => {
      const target = event.target as HTMLElement;
      if (target.dataset.testid !== 'cancel-dismiss') return;
      const id = target.closest<HTMLElement>('[data-testid="cancel-notice"]')?.dataset.orderId;
      if (id) this.dismiss(id);
    });
  }

  show(notices: readonly CancelNotice[]): void {
    for (const notice of notices) {
      const id = notice.ticket.order_id;
      this.dismiss(id);
      this.#container.prepend(noticeCard(notice));
      if (!notice.started) {
        this.#timers.set(
          id,
          setTimeout(() => this.dismiss(id), SHORT_NOTICE_MS),
        );
      }
    }
    this.#container.hidden = false;
  }

  dismiss(orderId: string): void {
    clearTimeout(this.#timers.get(orderId));
    this.#timers.delete(orderId);
    for (const card of this.#container.querySelectorAll<HTMLElement>(
      '[data-testid="cancel-notice"]',
    )) {
      if (card.dataset.orderId === orderId) card.remove();
    }
    this.#container.hidden = this.#container.childElementCount === 0;
  }
}

/**
 * Follows the board for tickets this screen shows turning cancelled: each gets its notice and
 * `alert` (the sound and system notification, as for a new order). Returns a stop.
 */
export function showCancellations(
  board: TicketBoard,
  mode: ScreenMode,
  container: HTMLElement,
  alert: (notice: CancelNotice) => void,
): () => void {
  const panel = new CancelPanel(container);
  return board.listen(
    new CancelWatch(mode, (notices) => {
      panel.show(notices);
      for (const notice of notices) alert(notice);
    }),
  );
}
