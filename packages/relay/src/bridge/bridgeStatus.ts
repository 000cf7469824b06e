import type { BridgeHealth, BridgeStatusMessage } from '@kitchen-sync/protocol';
import type { LinkTimers } from './centralLink.js';

/** What the outlet's screens get of the uplink's health (`sync:bridge`). */
export function bridgeStatusOf(health: BridgeHealth): BridgeStatusMessage {
  return {
    state: health.state,
    pending_events: health.pendingEvents,
    lag_seconds: health.lagSeconds,
    last_success_at: health.lastSuccessAt,
    last_error_code: health.lastErrorCode,
  };
}

// The lag grows every second while central is away; the screens work it out from
// last_success_at instead of getting a message a second for it.
const changeKey = (m: BridgeStatusMessage) =>
  `${m.state}|${m.pending_events}|${m.last_success_at}|${m.last_error_code}`;

export interface BridgeAnnouncerOptions {
  status: () => BridgeStatusMessage;
  send: (message: BridgeStatusMessage) => void;
  /** A monotonic clock (ms): the wall clock stepped back would hold the next look that long. */
  now: () => number;
  timers: LinkTimers;
  /** At most one look at the uplink (and one message) per this many ms. Default 1,000. */
  minIntervalMs?: number;
}

export interface BridgeAnnouncer {
  /** Something may have changed (a commit, an upload, a failure): look soon. */
  changed(): void;
  stop(): void;
}

/**
 * Sends the bridge status to the outlet's screens when it changed, throttled: a busy outlet
 * commits hundreds of times a second, and each look at the uplink reads the store.
 */
export function createBridgeAnnouncer(options: BridgeAnnouncerOptions): BridgeAnnouncer {
  const minIntervalMs = options.minIntervalMs ?? 1_000;
  let lastKey: string | null = null;
  let lastLookMs = Number.NEGATIVE_INFINITY;
  let timer: unknown;
  let stopped = false;

  const look = () => {
    timer = undefined;
    if (stopped) return;
    lastLookMs = options.now();
    const message = options.status();
    const key = changeKey(message);
    if (key === lastKey) return;
    lastKey = key;
    options.send(message);
  };

  return {
    changed() {
      if (stopped || timer !== undefined) return;
      const wait = lastLookMs + minIntervalMs - options.now();
      if (wait <= 0) look();
      else timer = options.timers.setTimeout(look, wait);
    },
    stop() {
      stopped = true;
      if (timer !== undefined) options.timers.clearTimeout(timer);
      timer = undefined;
    },
  };
}
