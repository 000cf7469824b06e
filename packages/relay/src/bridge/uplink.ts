import type { BridgeHealth } from '@kitchen-sync/protocol';
import type { Logger } from 'pino';
import type { EventStore } from '../store/EventStore.js';
import { Backoff } from './backoff.js';

/** Where a central built on the Django package takes uploads, below `--central-url`. */
export const UPLOAD_PATH = 'api/kitchen-sync/relay/upload/';

// A short cap: central is back within seconds for the outlet, and the random half of each
// delay spreads a hundred outlets that lost central together over several seconds.
export const DEFAULT_BACKOFF = { minMs: 500, maxMs: 5_000, jitter: 0.5 };

export interface UplinkTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface UplinkOptions {
  store: EventStore;
  /** The outlet whose log goes up (the relay credential's). */
  outlet: string;
  /** Central's base URL; uploads go to `UPLOAD_PATH` below it. */
  centralUrl: string;
  token: string;
  logger: Logger;
  fetch?: typeof fetch;
  timers?: UplinkTimers;
  random?: () => number;
  now?: () => number;
  /** Events per request. Default 200 (halved while central answers too_large). */
  batchSize?: number;
  /** How often an idle uplink looks at the log without being told. Default 5 s. */
  idlePollMs?: number;
  requestTimeoutMs?: number;
  backoff?: { minMs: number; maxMs: number; jitter: number };
  /** Told after central confirmed a batch (`count` events). */
  onUploaded?: (count: number) => void;
  /** Told after every attempt and state change (the screens' `sync:bridge` looks then). */
  onChange?: () => void;
}

export interface Uplink {
  start(): void;
  /** New events were committed: upload soon (never cuts a back-off short). */
  notify(): void;
  health(): BridgeHealth;
  /** Events central has not confirmed, and the time of the oldest (retention keeps them). */
  unsent(): { count: number; oldestTsMs: number };
  /** How many events central has not confirmed: cheap enough for every commit. */
  unsentCount(): number;
  stop(): void;
}

interface UploadAnswer {
  epoch: string;
  last_seq: number;
}

class UploadError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

/**
 * Sends the outlet's log to central in seq order. The cursor (last seq central confirmed)
 * lives in the store and moves only after central's answer, so a crash re-sends at most one
 * batch, which central recognises by event_id. A new data dir is a new epoch: central keeps
 * one cursor per epoch and recognises orders it has by order_id.
 */
export function createUplink(options: UplinkOptions): Uplink {
  const { store, outlet, logger } = options;
  const doFetch = options.fetch ?? globalThis.fetch;
  const timers = options.timers ?? {
    setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
    clearTimeout: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout),
  };
  const now = options.now ?? Date.now;
  const idlePollMs = options.idlePollMs ?? 5_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
  const backoff = new Backoff({
    ...(options.backoff ?? DEFAULT_BACKOFF),
    random: options.random ?? Math.random,
  });
  const url = new URL(
    UPLOAD_PATH,
    options.centralUrl.endsWith('/') ? options.centralUrl : `${options.centralUrl}/`,
  );
  const cursorKey = `uplink:${outlet}`;
  let batchSize = options.batchSize ?? 200;
  let state: BridgeHealth['state'] = 'starting';
  let lastSuccessMs: number | null = null;
  let lastErrorCode: string | null = null;
  let timer: unknown;
  let inFlight: AbortController | null = null;
  let inBackoff = false;
  let stopped = true;

  // Only this uplink moves its cursor, so it is read from the store once and kept here: the
  // relay asks how much is unsent on every commit (retention), and a SELECT there cost the
  // publish path ~15 % more CPU while a backlog drained.
  let confirmedSeq = store.getCursor(cursorKey) ?? 0;
  const confirm = (seq: number) => {
    store.setCursor(cursorKey, seq);
    confirmedSeq = seq;
  };
  const cursor = () => Math.max(confirmedSeq, store.prunedThrough(outlet));

  function schedule(ms: number) {
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = timers.setTimeout(() => {
      timer = undefined;
      void tick();
    }, ms);
  }

  async function post(eventTexts: string[]): Promise<UploadAnswer> {
    const controller = new AbortController();
    inFlight = controller;
    const timeout = timers.setTimeout(() => controller.abort(), requestTimeoutMs);
    let response: Response;
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
        // The envelopes as the log holds them, joined: parsing 200 of them only to write them
        // out again held the event loop ~1 ms a batch, and the kitchens' p99 felt it.
        body: `{"outlet_id":${JSON.stringify(outlet)},"epoch":${JSON.stringify(store.epoch)},"events":[${eventTexts.join(',')}]}`,
        signal: controller.signal,
      });
    } catch {
      throw new UploadError(controller.signal.aborted ? 'central_timeout' : 'central_unreachable');
    } finally {
      timers.clearTimeout(timeout);
      inFlight = null;
    }
    const body = (await response.json().catch(() => null)) as {
      error?: { code?: string };
      epoch?: unknown;
      last_seq?: unknown;
    } | null;
    if (!response.ok) throw new UploadError(body?.error?.code ?? `http_${response.status}`);
    if (body?.epoch !== store.epoch || typeof body.last_seq !== 'number') {
      throw new UploadError('central_bad_answer');
    }
    return body as UploadAnswer;
  }

  async function tick() {
    if (stopped) return;
    const from = confirmedSeq;
    const pruned = store.prunedThrough(outlet);
    if (from < pruned) {
      // Retention dropped events central never got: say so loudly, then go on after them.
      logger.error(
        { outlet, from, prunedThrough: pruned },
        'central never got events retention removed',
      );
      confirm(pruned);
    }
    const start = cursor();
    const events = store.envelopeTextsAfter
      ? store.envelopeTextsAfter(outlet, start, batchSize)
      : store
          .eventsAfter(outlet, start, batchSize, null)
          .map((event) => JSON.stringify(event.envelope));
    if (events.length === 0 && lastSuccessMs !== null) {
      state = 'synced';
      schedule(idlePollMs);
      options.onChange?.();
      return;
    }
    state = 'uploading';
    try {
      const answer = await post(events);
      if (stopped) return;
      const confirmed = Math.min(answer.last_seq, store.head(outlet));
      if (events.length > 0 && confirmed <= start) throw new UploadError('central_not_advancing');
      if (confirmed > start) confirm(confirmed);
      lastSuccessMs = now();
      lastErrorCode = null;
      inBackoff = false;
      backoff.reset();
      if (events.length > 0) options.onUploaded?.(events.length);
      if (store.head(outlet) > confirmed) {
        schedule(0);
      } else {
        state = 'synced';
        schedule(idlePollMs);
      }
      options.onChange?.();
    } catch (error) {
      if (stopped) return;
      const code = error instanceof UploadError ? error.code : 'internal';
      if (!(error instanceof UploadError)) logger.error({ err: error }, 'uplink failed');
      if (code === 'too_large') batchSize = Math.max(1, Math.floor(batchSize / 2));
      if (code !== lastErrorCode) logger.warn({ code, outlet }, 'central upload failed; retrying');
      lastErrorCode = code;
      state = 'backoff';
      inBackoff = true;
      schedule(backoff.next());
      options.onChange?.();
    }
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    notify() {
      if (stopped || inBackoff || inFlight || state === 'uploading') return;
      schedule(0);
    },
    unsentCount: () => Math.max(0, store.head(outlet) - cursor()),
    unsent() {
      const from = cursor();
      const count = Math.max(0, store.head(outlet) - from);
      const oldest = count > 0 ? store.eventsAfter(outlet, from, 1, null)[0] : undefined;
      return { count, oldestTsMs: oldest?.tsMs ?? now() };
    },
    health() {
      const head = store.head(outlet);
      const from = cursor();
      const oldest = head > from ? store.eventsAfter(outlet, from, 1, null)[0] : undefined;
      return {
        state: stopped && state !== 'starting' ? 'stopped' : state,
        pendingEvents: Math.max(0, head - from),
        lagSeconds: oldest ? Math.max(0, Math.round((now() - oldest.tsMs) / 1000)) : 0,
        lastSuccessAt: lastSuccessMs === null ? null : new Date(lastSuccessMs).toISOString(),
        lastErrorCode,
        downlinkCursor: null,
      };
    },
    stop() {
      stopped = true;
      state = 'stopped';
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      inFlight?.abort();
    },
  };
}
