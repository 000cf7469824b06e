import type { ErrorCode, EventsResponse } from '@kitchen-sync/protocol';
import { isErrorCode } from '@kitchen-sync/protocol';
import { KitchenSyncError, type SocketErrorCode } from '../errors.js';
import { Disposables, isHidden } from '../lib/environment.js';
import { type RefreshesEnded, refreshesEnded, refreshOnce } from '../lib/refreshOnce.js';
import { cursorFields, eventIdOf } from './cursor.js';
import { refusalDetails } from './tokenRefusal.js';
import {
  isEnvelope,
  isObject,
  resolveSource,
  type TokenSource,
  type TransportHooks,
} from './transport.js';
import type { Cursor } from './types.js';

export interface PollingOptions {
  /** Without a trailing slash (the socket service strips it). */
  relayUrl: string;
  outletId: string | number;
  token?: TokenSource;
  onUnauthorized?: () => unknown;
  /** Long-poll `wait` in ms; 0 turns long polling off. Default 25 s. */
  longPollMs?: number;
  /** Plain request timeout; a long poll gets `wait` on top. Default 5 s. */
  requestTimeoutMs?: number;
  /** Adaptive interval bounds when the relay cannot long-poll. Default 1–10 s. */
  minIntervalMs?: number;
  maxIntervalMs?: number;
  /** Events per request. Default 500. */
  limit?: number;
}

export interface PollingTransport {
  start(): void;
  stop(): void;
  /** Poll now (back online, page visible again). */
  poke(): void;
  readonly active: boolean;
}

/** Error backoff: 5, 10, 15 … s, capped at 30 s. */
export function pollErrorDelay(failures: number): number {
  return Math.min(30_000, 5_000 * Math.max(1, failures));
}

async function errorFromResponse(
  response: Response,
): Promise<KitchenSyncError<ErrorCode | 'http'>> {
  let code: ErrorCode | 'http' = response.status === 401 ? 'unauthorized' : 'http';
  let refusal: ReturnType<typeof refusalDetails>;
  try {
    const body = (await response.json()) as {
      error?: { code?: unknown } & Parameters<typeof refusalDetails>[0];
    };
    if (isErrorCode(body?.error?.code)) code = body.error.code;
    refusal = refusalDetails(body?.error);
  } catch {
    // Not JSON (a proxy's error page): the status decides.
  }
  return new KitchenSyncError(code, `relay answered ${response.status}`, {
    status: response.status,
    ...refusal,
  });
}

export function createPollingTransport(
  options: PollingOptions,
  hooks: TransportHooks,
): PollingTransport {
  const { env } = hooks;
  const { timers } = env;
  const wait = options.longPollMs ?? 25_000;
  const timeout = options.requestTimeoutMs ?? 5_000;
  const minInterval = options.minIntervalMs ?? 1_000;
  const maxInterval = options.maxIntervalMs ?? 10_000;
  const limit = options.limit ?? 500;

  let active = false;
  let running = false;
  let longPoll = wait > 0;
  // Long polls answered at once with nothing, in a row (see `answered`).
  let quickEmpty = 0;
  let interval = minInterval;
  let failures = 0;
  let resume = true;
  let timer: unknown = null;
  let controller: AbortController | null = null;
  let disposables = new Disposables();
  // The last poll's token, and the refreshes ended before it (see refreshOnce).
  let token: string | undefined;
  let since: RefreshesEnded;

  const schedule = (delay: number): void => {
    timers.clearTimeout(timer);
    timer = timers.setTimeout(() => {
      timer = null;
      void poll();
    }, delay);
  };

  const fail = (error: KitchenSyncError<SocketErrorCode | 'https_required'>): void => {
    failures++;
    resume = true;
    // A relay that shut down answered its long polls early; the one that comes back may wait.
    longPoll = wait > 0;
    quickEmpty = 0;
    // The relay that comes back may have a backlog: start again from the shortest interval.
    interval = minInterval;
    hooks.down('poll');
    hooks.error(error, 'poll');
    if (error.code === 'unauthorized' && options.onUnauthorized) {
      refreshOnce(options.onUnauthorized, token, since).catch(() => {
        // The next poll reports the refusal again.
      });
    }
    schedule(pollErrorDelay(failures));
  };

  const poll = async (): Promise<void> => {
    // A hidden page does not poll; visibilitychange resumes it.
    if (!active || running || isHidden(env)) return;
    running = true;
    // Like a reconnect, a new session or a failure resumes from the source; in between the
    // session's own cursor is ahead of a feed that is still writing what it received.
    let cursor: Cursor;
    try {
      cursor = resume ? hooks.readCursor() : hooks.currentCursor();
    } catch (cause) {
      // A failing cursor source must not leave `running` set: nothing would poll again.
      running = false;
      fail(new KitchenSyncError('storage', 'the cursor source failed', { cause }));
      return;
    }
    since = refreshesEnded(options.onUnauthorized);
    token = undefined;
    try {
      token = await resolveSource(options.token);
    } catch (cause) {
      running = false;
      // As on the socket: without a token the relay would refuse us; it is not down.
      if (active) {
        fail(new KitchenSyncError('unauthorized', 'token could not be obtained', { cause }));
      }
      return;
    }
    if (!active) {
      running = false;
      return;
    }
    // The first poll of a session, and the first after a failure, does not wait: its answer is
    // what tells the status the relay is reachable, and a long poll would hold that back.
    const waitMs = longPoll && !resume ? wait : 0;
    resume = false;
    const query = new URLSearchParams({ outlet_id: String(options.outletId), since: '0' });
    for (const [key, value] of Object.entries(cursorFields(cursor))) query.set(key, String(value));
    query.set('limit', String(limit));
    if (waitMs > 0) query.set('wait', String(waitMs));
    const abort = new AbortController();
    controller = abort;
    const abortTimer = timers.setTimeout(() => abort.abort(), timeout + waitMs);
    const started = env.now();
    let result: EventsResponse | KitchenSyncError<SocketErrorCode | 'https_required'>;
    try {
      const response = await env.fetch(`${options.relayUrl}/api/events?${query}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        signal: abort.signal,
        cache: 'no-store',
      });
      if (!response.ok) result = await errorFromResponse(response);
      else {
        const body = (await response.json()) as EventsResponse;
        result =
          isObject(body) && Array.isArray(body.events)
            ? body
            : new KitchenSyncError('malformed_response', 'relay sent no events array');
      }
    } catch (cause) {
      result = abort.signal.aborted
        ? new KitchenSyncError('timeout', 'poll timed out', { cause })
        : cause instanceof SyntaxError
          ? new KitchenSyncError('malformed_response', 'relay sent invalid JSON', { cause })
          : hooks.unreachable(cause, 'poll failed');
    } finally {
      timers.clearTimeout(abortTimer);
      controller = null;
      running = false;
    }
    // stop() during the request: drop the answer, the next session starts from the cursor.
    if (!active) return;
    if (result instanceof KitchenSyncError) {
      fail(result);
      return;
    }
    failures = 0;
    apply(result, cursor, waitMs, env.now() - started);
  };

  const apply = (body: EventsResponse, asked: Cursor, waitMs: number, elapsed: number): void => {
    hooks.up('poll');
    const snapshot = isObject(body.snapshot) && Array.isArray(body.snapshot.orders);
    if (snapshot) hooks.snapshot(body.snapshot!, 'poll');
    const events = body.events.filter(isEnvelope);
    let head = snapshot ? body.snapshot!.seq : asked.since;
    for (const event of events) {
      hooks.event(event, 'poll');
      if (typeof event.seq === 'number') head = Math.max(head, event.seq);
    }
    // A full page means more is waiting: the cursor moves only as far as the events went.
    if (events.length < limit && typeof body.last_seq === 'number') {
      head = Math.max(head, body.last_seq);
    }
    // The id at last_seq: the cursor's since_event when it lands there (see cursor.ts).
    const lastId = head === body.last_seq ? eventIdOf({ event_id: body.last_event_id }) : undefined;
    const epoch = typeof body.epoch === 'string' ? body.epoch : asked.epoch;
    if (epoch && events.length < limit)
      hooks.caughtUp({ seq: head, epoch, ...(lastId && { event_id: lastId }) }, 'poll');
    else if (epoch) hooks.advance({ since: head, epoch });

    // A relay without long-poll support (or a proxy that cuts them) answers an empty poll at
    // once. So does a relay shutting down, which wakes its waiting polls: one such answer alone
    // turned long polls off for good, and kitchens polled every 10 s after every restart.
    const empty = events.length === 0 && !snapshot && head === asked.since;
    if (waitMs > 0) {
      quickEmpty = empty && elapsed < waitMs / 2 ? quickEmpty + 1 : 0;
      if (quickEmpty >= 2) longPoll = false;
    }

    if (events.length >= limit) schedule(0);
    else if (longPoll) schedule(0);
    else {
      interval = events.length > 0 ? minInterval : Math.min(maxInterval, interval * 2);
      schedule(interval);
    }
  };

  return {
    start() {
      if (active) return;
      active = true;
      resume = true;
      failures = 0;
      interval = minInterval;
      longPoll = wait > 0;
      quickEmpty = 0;
      disposables = new Disposables();
      disposables.listen(env.document, 'visibilitychange', () => {
        if (!isHidden(env) && timer === null) void poll();
      });
      disposables.add(() => {
        timers.clearTimeout(timer);
        timer = null;
        controller?.abort();
      });
      void poll();
    },
    stop() {
      if (!active) return;
      active = false;
      disposables.dispose();
    },
    poke() {
      if (!active || running) return;
      timers.clearTimeout(timer);
      timer = null;
      void poll();
    },
    get active() {
      return active;
    },
  };
}
