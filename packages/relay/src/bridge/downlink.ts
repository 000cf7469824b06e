import { SOCKET_EVENTS } from '@kitchen-sync/protocol';
import type { Logger } from 'pino';
import type { OrderCommands } from '../core/orderCommands.js';
import type { EventStore } from '../store/EventStore.js';
import { Backoff } from './backoff.js';
import { DEFAULT_BACKOFF, type UplinkTimers } from './uplink.js';

/** Where a central built on the Django package serves the downlink, below `--central-url`. */
export const DOWNLINK_PATH = 'api/kitchen-sync/relay/downlink/';

export interface DownlinkOptions {
  store: EventStore;
  commands: OrderCommands;
  outlet: string;
  centralUrl: string;
  token: string;
  logger: Logger;
  fetch?: typeof fetch;
  timers?: UplinkTimers;
  random?: () => number;
  /** How often the relay asks central for new events while connected. Default 1 s. */
  pollMs?: number;
  requestTimeoutMs?: number;
  backoff?: { minMs: number; maxMs: number; jitter: number };
}

export interface Downlink {
  start(): void;
  stop(): void;
  /** Central's seq up to which everything is in this relay's log. */
  cursor(): number;
}

interface CentralEvent {
  seq: number;
  event_id: string;
  type: string;
  order_id?: string;
  data?: { status?: string } & Record<string, unknown>;
}

// Refusals that will never change on a retry: the event is logged and passed over.
const FINAL_REFUSALS = new Set(['invalid_payload', 'invalid_transition', 'not_found', 'forbidden']);

/**
 * Brings the orders and status changes central makes for the outlet into the relay's log,
 * as publishes and updates with central's event ids: idempotent (a repeat is a duplicate),
 * delivered to kitchens like any publish, and never echoed: the uplink sends them back up
 * under the same event id, which central already has.
 */
export function createDownlink(options: DownlinkOptions): Downlink {
  const { store, commands, outlet, logger } = options;
  const doFetch = options.fetch ?? globalThis.fetch;
  const timers = options.timers ?? {
    setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
    clearTimeout: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout),
  };
  const pollMs = options.pollMs ?? 1_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
  const backoff = new Backoff({
    ...(options.backoff ?? DEFAULT_BACKOFF),
    random: options.random ?? Math.random,
  });
  const base = options.centralUrl.endsWith('/') ? options.centralUrl : `${options.centralUrl}/`;
  const cursorKey = `downlink:${outlet}`;
  let timer: unknown;
  let inFlight: AbortController | null = null;
  let stopped = true;

  const cursor = () => store.getCursor(cursorKey) ?? 0;

  function schedule(ms: number) {
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = timers.setTimeout(() => {
      timer = undefined;
      void tick();
    }, ms);
  }

  async function fetchPage(since: number) {
    const controller = new AbortController();
    inFlight = controller;
    const timeout = timers.setTimeout(() => controller.abort(), requestTimeoutMs);
    try {
      const response = await doFetch(new URL(`${DOWNLINK_PATH}?since=${since}`, base), {
        headers: { authorization: `Bearer ${options.token}` },
        signal: controller.signal,
      });
      if (!response.ok) throw new Error(`central answered ${response.status}`);
      return (await response.json()) as {
        events: CentralEvent[];
        last_seq: number;
        has_more: boolean;
      };
    } finally {
      timers.clearTimeout(timeout);
      inFlight = null;
    }
  }

  /** Into the log; false when the relay could not write it now (retry the page later). */
  async function write(event: CentralEvent): Promise<boolean> {
    // Written with no principal (no token scope applies): only this outlet's orders.
    if (event.data?.outlet_id !== undefined && String(event.data.outlet_id) !== outlet) {
      logger.warn({ event_id: event.event_id }, 'central sent an event of another outlet');
      return true;
    }
    const result =
      event.type === 'new_order'
        ? await commands.handle(
            null,
            SOCKET_EVENTS.PUBLISH,
            { ...event.data, event_id: event.event_id },
            'central',
          )
        : event.type === 'order_acknowledged' || !event.order_id || !event.data?.status
          ? { ok: true as const }
          : await commands.handle(
              null,
              SOCKET_EVENTS.UPDATE,
              { order_id: event.order_id, status: event.data.status, event_id: event.event_id },
              'central',
            );
    if (result.ok) return true;
    if (FINAL_REFUSALS.has(result.error.code)) {
      // Surfaced, not retried: the outlet's state already moved on (see docs: conflicts).
      logger.warn(
        { code: result.error.code, event_id: event.event_id, order_id: event.order_id },
        'central event not applied at the outlet',
      );
      return true;
    }
    return false;
  }

  async function tick() {
    if (stopped) return;
    try {
      const page = await fetchPage(cursor());
      if (stopped) return;
      for (const event of page.events) {
        if (!(await write(event))) throw new Error('the relay could not write a central event');
        if (stopped) return;
        store.setCursor(cursorKey, event.seq);
      }
      if (page.last_seq > cursor()) store.setCursor(cursorKey, page.last_seq);
      backoff.reset();
      schedule(page.has_more ? 0 : pollMs);
    } catch (error) {
      if (stopped) return;
      logger.debug({ err: error }, 'downlink attempt failed');
      schedule(backoff.next());
    }
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    stop() {
      stopped = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      inFlight?.abort();
    },
    cursor,
  };
}
