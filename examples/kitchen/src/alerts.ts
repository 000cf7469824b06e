import type { Order } from '@kitchen-sync/protocol';

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
    const audio = this.#audio;
    if (audio?.state !== 'running') return;
    const start = audio.currentTime;
    for (const [offset, frequency] of [
      [0, 880],
      [0.18, 1320],
    ] as const) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0.25, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.001, start + offset + 0.35);
      osc.connect(gain).connect(audio.destination);
      osc.start(start + offset);
      osc.stop(start + offset + 0.4);
    }
  }

  notify(order: Order): void {
    if (!('Notification' in window) || Notification.permission !== 'granted') return;
    const items = order.items.map((i) => `${i.quantity}× ${i.name}`).join(', ');
    new Notification(`Pesanan baru ${order.order_number}`, { body: items, tag: order.order_id });
  }
}
