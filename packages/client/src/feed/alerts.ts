import type { OrderState } from '@kitchen-sync/protocol';

type NotificationGlobal = {
  Notification?: {
    permission: NotificationPermission;
    requestPermission(): Promise<NotificationPermission>;
    new (title: string, options?: NotificationOptions): Notification;
  };
  AudioContext?: new () => AudioContext;
};

const g = globalThis as NotificationGlobal;

/**
 * Asks for permission to show notifications. Browsers only allow this from a user gesture,
 * so call it from a button's click handler.
 */
export async function requestNotificationPermission(): Promise<
  NotificationPermission | 'unsupported'
> {
  if (!g.Notification) return 'unsupported';
  if (g.Notification.permission !== 'default') return g.Notification.permission;
  return g.Notification.requestPermission();
}

/** A system notification per new order, when permission was granted. */
export function defaultNotify(order: OrderState): void {
  if (g.Notification?.permission !== 'granted') return;
  // A board's orders have no lines: no body.
  const items = order.items?.map((item) => `${item.quantity}× ${item.name}`).join(', ');
  // `tag` replaces rather than stacks a notification for the same order.
  new g.Notification(`New order ${order.order_number}`, { body: items, tag: order.order_id });
}

let audio: AudioContext | null = null;

/**
 * Makes the beep audible: call it from a user gesture (a click on "Start shift", "Sound on").
 * Browsers let a page start audio only after one; an AudioContext created earlier stays
 * suspended and Chromium logs "AudioContext was not allowed to start". Resolves `true` once
 * audio runs, `false` where there is no Web Audio or the browser still refuses.
 */
export async function unlockAudio(): Promise<boolean> {
  if (!g.AudioContext) return false;
  audio ??= new g.AudioContext();
  if (audio.state !== 'running') {
    try {
      await audio.resume();
    } catch {
      // Refused (no gesture): the next unlockAudio() from a click tries again.
    }
  }
  return audio.state === 'running';
}

/** The page has had a user gesture, so a context created now may start (Chromium, Safari). */
function hasUserActivation(): boolean {
  const nav = globalThis.navigator as { userActivation?: { hasBeenActive?: boolean } } | undefined;
  return nav?.userActivation?.hasBeenActive === true;
}

/**
 * A short beep through Web Audio: no sound file to ship or cache for offline use. Silent until
 * audio is unlocked (`unlockAudio()`) or the page has had a user gesture: no AudioContext is
 * created before that, so no console warning either.
 */
export function defaultPlaySound(): void {
  if (!g.AudioContext) return;
  if (!audio) {
    if (!hasUserActivation()) return;
    audio = new g.AudioContext();
  }
  if (audio.state !== 'running') return;
  const oscillator = audio.createOscillator();
  const gain = audio.createGain();
  oscillator.frequency.value = 880;
  gain.gain.setValueAtTime(0.3, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
  oscillator.connect(gain).connect(audio.destination);
  oscillator.start();
  oscillator.stop(audio.currentTime + 0.4);
}
