import { StorableRequest } from 'workbox-background-sync';
import type { Timers } from '../lib/timers.js';
import type { ClassifyResponse } from './classify.js';
import { IDEMPOTENCY_HEADER, idempotencyKeyFor, orderIdOf } from './idempotency.js';
import type { Lock } from './lock.js';
import type { EntryMetadata, OrderQueueDb, QueueEntry, RequestData } from './orderQueueDb.js';
import type {
  QueuedOrder,
  QueueStatus,
  RejectedOrder,
  RetryResult,
  SyncResult,
} from './protocol.js';

export interface OrderSyncOptions {
  db: OrderQueueDb;
  lock: Lock;
  classify: ClassifyResponse;
  /** How long an order may wait; an older one is tried once more, then set aside as `expired`. */
  retentionMs: number;
  /** The page's POST gets `202 queued` after this long without its own answer. */
  answerWithinMs: number;
  /** One replay attempt is abandoned (and kept) after this long, so a hung backend cannot stall the queue. */
  timeoutMs: number;
  fetch: typeof fetch;
  now: () => number;
  timers: Pick<Timers, 'setTimeout' | 'clearTimeout'>;
  randomUUID: () => string;
  /** Called after every change of the queue or the rejected list. */
  onChange: () => void;
  /** Called after every replay run with whether it stopped on an order to retry. */
  afterReplay?: (stopped: boolean) => void;
}

export interface ReplayResult extends SyncResult {
  /** True when the run ended on an order that must be retried later. */
  stopped: boolean;
}

const RESPONSE_EXCERPT = 4096;

/**
 * The order queue: every order POST is stored first, then replayed strictly in order, one at a
 * time, under a lock. An entry leaves the queue only after the backend answered it, so a worker
 * killed mid-request leaves it in place and the `Idempotency-Key` makes the second send
 * harmless (Workbox's own replay shifts first and drops on any HTTP answer: issue #2599).
 */
export class OrderSync {
  readonly #o: OrderSyncOptions;
  /** Page requests waiting for the backend's answer to their entry, by entry id. */
  readonly #waiters = new Map<number, (response: Response) => void>();

  constructor(options: OrderSyncOptions) {
    this.#o = options;
  }

  /** Stores the request (its body read once, here) with its `Idempotency-Key`. */
  async enqueue(
    request: Request,
    onId?: (id: number) => void,
  ): Promise<{ id: number; idempotencyKey: string; orderId: string | null }> {
    const data = (await StorableRequest.fromRequest(request)).toObject() as RequestData;
    const orderId = orderIdOf(data.body);
    const idempotencyKey = idempotencyKeyFor(data.headers, data.body) ?? this.#o.randomUUID();
    data.headers = withoutHeader(data.headers, IDEMPOTENCY_HEADER);
    data.headers[IDEMPOTENCY_HEADER] = idempotencyKey;
    const id = await this.#o.db.push(data, this.#o.now(), { idempotencyKey, orderId }, onId);
    this.#o.onChange();
    return { id, idempotencyKey, orderId };
  }

  /**
   * What the page's POST gets: the backend's own answer as soon as its order went through (or
   * was refused), else `202 { queued: true }` — once the run stops without reaching it, or after
   * `answerWithinMs` (a long queue ahead, a hung backend): the order is on disk and will be sent.
   * `waitUntil` keeps the worker alive for the rest of the run.
   */
  async submit(
    request: Request,
    waitUntil?: (promise: Promise<unknown>) => void,
  ): Promise<Response> {
    let answered: (response: Response | undefined) => void = () => {};
    const answer = new Promise<Response | undefined>((resolve) => {
      answered = resolve;
    });
    const { id, idempotencyKey, orderId } = await this.enqueue(request, (entryId) => {
      // Registered before the entry is committed, so no replay can answer it unseen.
      this.#waiters.set(entryId, answered);
    });
    const run = this.replay().finally(() => {
      this.#waiters.delete(id);
      answered(undefined);
    });
    // A failed run leaves the stored order for the next trigger; the page still gets 202.
    const settled = run.catch(() => undefined);
    waitUntil?.(settled);
    const timer = this.#o.timers.setTimeout(() => answered(undefined), this.#o.answerWithinMs);
    const response = await answer;
    this.#o.timers.clearTimeout(timer);
    if (response) return response;
    return new Response(
      JSON.stringify({ queued: true, order_id: orderId, idempotency_key: idempotencyKey }),
      {
        status: 202,
        headers: { 'Content-Type': 'application/json', 'X-Kitchen-Sync-Queued': '1' },
      },
    );
  }

  /** Replays the queue now, after any replay already running. */
  replay(): Promise<ReplayResult> {
    return this.#o.lock(() => this.#replayAlone());
  }

  async status(): Promise<QueueStatus> {
    const [pending, rejected] = await Promise.all([this.#o.db.pending(), this.#o.db.rejected()]);
    return { pending: pending.map(toQueued), rejected: rejected.map(toRejected) };
  }

  async dismissRejected(ids: readonly number[]): Promise<void> {
    await this.#o.db.dismissRejected(ids);
    this.#o.onChange();
  }

  /**
   * Sends a rejected order once more, with its own key (a backend that already booked it
   * answers its first 2xx). Under the replay lock, so two retries never both send it.
   */
  retryRejected(id: number): Promise<RetryResult> {
    return this.#o.lock(async () => {
      const entry = await this.#o.db.rejectedEntry(id);
      return entry ? this.#resend(entry) : { outcome: 'not_found', status: 0 };
    });
  }

  async #replayAlone(): Promise<ReplayResult> {
    const { db } = this.#o;
    let replayed = 0;
    let rejected = 0;
    let stopped = false;
    // Set aside by this run: their last attempt just failed, so no automatic resend yet.
    const setAside = new Set<number>();
    let entry = await db.first();
    const nothingQueued = !entry;
    for (; entry; entry = await db.first()) {
      // Past the retention an order still gets one more attempt (central may be back and
      // take it, or answer its first answer to the same key); only if that fails is it set
      // aside as `expired`, so it no longer holds up the orders behind it.
      const expired = this.#o.now() - entry.timestamp > this.#o.retentionMs;
      const response = await this.#send(entry);
      const outcome = response ? this.#o.classify(response.status) : 'retry';
      if (outcome === 'retry' && !expired) {
        stopped = true;
        break;
      }
      if (outcome === 'delivered') {
        await db.remove(entry.id);
        replayed += 1;
      } else {
        const reason = outcome === 'rejected' ? 'rejected' : 'expired';
        setAside.add(await db.reject(entry, await rejection(reason, response, this.#o.now())));
        rejected += 1;
      }
      if (response) this.#waiters.get(entry.id)?.(response);
      this.#o.onChange();
    }
    // A run that delivered and went through means central is back: time for the expired ones.
    // With nothing queued (a kiosk between guests) the first expired order asks instead.
    if (!stopped && (replayed > 0 || nothingQueued))
      replayed += await this.#resendExpired(setAside, replayed === 0);
    const { pending } = await db.counts();
    this.#o.afterReplay?.(stopped);
    return { replayed, remaining: pending, rejected, stopped };
  }

  /**
   * Resends every `expired` order (never a refused one) by itself, in their original order,
   * each at most once: one that fails again is marked and stays listed for the staff, and the
   * rest wait for the next run that delivers (central went away again). Returns how many
   * were delivered. `probing`: nothing has shown central is back yet, so a failure before
   * central answers anything is not this order's one resend.
   */
  async #resendExpired(setAside: ReadonlySet<number>, probing: boolean): Promise<number> {
    const { db } = this.#o;
    let delivered = 0;
    let centralAnswered = !probing;
    for (const { id } of await db.rejected()) {
      // Read again: the staff may have dismissed it while an earlier one was being sent.
      const entry = await db.rejectedEntry(id);
      const meta = entry?.metadata;
      if (!entry || meta?.reason !== 'expired' || meta.autoResentAt || setAside.has(id)) continue;
      const { outcome } = await this.#resend(entry);
      if (outcome === 'delivered') delivered += 1;
      if (outcome === 'retry') {
        if (centralAnswered) await db.updateRejected(entry, { autoResentAt: this.#o.now() });
        break;
      }
      centralAnswered = true;
    }
    return delivered;
  }

  /** One more attempt at a rejected order: delivered → removed; refused → reason updated. */
  async #resend(entry: QueueEntry): Promise<RetryResult> {
    const response = await this.#send(entry);
    const status = response?.status ?? 0;
    const outcome = response ? this.#o.classify(status) : 'retry';
    if (outcome === 'delivered') await this.#o.db.remove(entry.id);
    else if (outcome === 'rejected')
      await this.#o.db.updateRejected(entry, await rejection('rejected', response, this.#o.now()));
    this.#o.onChange();
    return { outcome, status };
  }

  /** One attempt; `undefined` when no answer came. A fresh Request each time: no body is read twice. */
  async #send(entry: QueueEntry): Promise<Response | undefined> {
    const controller = new AbortController();
    const timer = this.#o.timers.setTimeout(() => controller.abort(), this.#o.timeoutMs);
    try {
      const request = new Request(entry.requestData.url, {
        ...(entry.requestData as RequestInit),
        signal: controller.signal,
      });
      return await this.#o.fetch(request);
    } catch {
      return undefined;
    } finally {
      this.#o.timers.clearTimeout(timer);
    }
  }
}

function withoutHeader(headers: Record<string, string>, name: string): Record<string, string> {
  const lower = name.toLowerCase();
  return Object.fromEntries(Object.entries(headers).filter(([key]) => key.toLowerCase() !== lower));
}

async function rejection(
  reason: 'rejected' | 'expired',
  response: Response | undefined,
  now: number,
): Promise<EntryMetadata> {
  return {
    reason,
    status: response?.status ?? 0,
    response: response ? await excerpt(response) : null,
    rejectedAt: now,
  };
}

async function excerpt(response: Response): Promise<string | null> {
  try {
    return (await response.clone().text()).slice(0, RESPONSE_EXCERPT);
  } catch {
    return null;
  }
}

function toQueued(entry: QueueEntry): QueuedOrder {
  const { body } = entry.requestData;
  return {
    id: entry.id,
    idempotencyKey:
      entry.metadata?.idempotencyKey ?? String(entry.requestData.headers[IDEMPOTENCY_HEADER] ?? ''),
    orderId: entry.metadata?.orderId ?? null,
    url: entry.requestData.url,
    queuedAt: entry.timestamp,
    body: body ? new TextDecoder().decode(body) : null,
  };
}

function toRejected(entry: QueueEntry): RejectedOrder {
  const meta = entry.metadata ?? {};
  return {
    ...toQueued(entry),
    reason: meta.reason ?? 'rejected',
    status: meta.status ?? 0,
    response: meta.response ?? null,
    rejectedAt: meta.rejectedAt ?? entry.timestamp,
  };
}
