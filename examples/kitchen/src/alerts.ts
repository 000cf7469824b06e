import type { Order } from '@kitchen-sync/protocol';
import { ticketLabel } from '../../shared/orderNumber';
import { playTones } from '../../shared/tones';
import type { CancelNotice } from './cancelWatch';

/**
 * A short two-tone chime made with Web Audio (no sound file to cache) and a system
 * notification. Browsers only allow audio after a user gesture, hence `unlock()`.
 */
export class KitchenAlerts {
  #audio: AudioContext | null = null;
  /** Cancel alerts given; shown on the page for tests and for staff checking the speaker. */
  cancelAlerts = 0;

  get unlocked(): boolean {
    return this.#audio?.state === 'running';
  }

  async unlock(): Promise<void> {
    this.#audio ??= new AudioContext();
    await this.#audio.resume();
    if ('Notification' in window && Notification.permission === 'default') {
      await Notification.requestPermission();
    }
  }

  chime(): void {
    playTones(
      this.#audio,
      [
        [0, 880],
        [0.18, 1320],
      ],
      { gain: 0.25, length: 0.35 },
    );
  }

  notify(order: Order): void {
    if (!('Notification' in window) || Notification.permission !== 'granted') return;
    const items = order.items.map((i) => `${i.quantity}× ${i.name}`).join(', ');
    new Notification(`Pesanan baru ${ticketLabel(order)}`, { body: items, tag: order.order_id });
  }

  /** Falling tones, unlike the rising new-order chime: a cook hears which one it is. */
  cancelled(notice: CancelNotice): void {
    this.cancelAlerts++;
    document.body.dataset.cancelAlerts = String(this.cancelAlerts);
    playTones(
      this.#audio,
      [
        [0, 988],
        [0.2, 740],
        [0.4, 494],
      ],
      { gain: 0.3, length: 0.3 },
    );
    if (!('Notification' in window) || Notification.permission !== 'granted') return;
    const { ticket, reason } = notice;
    new Notification(`DIBATALKAN ${ticketLabel(ticket.order)}`, {
      body: reason ? `Alasan: ${reason}` : 'Tanpa alasan',
      tag: `cancel-${ticket.order_id}`,
      requireInteraction: notice.started,
    });
  }
}
