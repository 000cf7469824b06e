import type { Order } from '@kitchen-sync/protocol';
import { ticketLabel } from '../../shared/orderNumber';
import { playTones } from '../../shared/tones';

/**
 * A short two-tone chime made with Web Audio (no sound file to cache) and a system
 * notification. Browsers only allow audio after a user gesture, hence `unlock()`.
 */
export class KitchenAlerts {
  #audio: AudioContext | null = null;

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
}
