import type { StoredEvent } from '../store/EventStore.js';

/** The reads the sequencer needs from the shared log (the store is the source of truth). */
export interface SequencerLog {
  /** Each outlet's head, read together: one query for all of them on PostgreSQL. */
  heads(outlets: readonly string[]): Promise<Map<string, number>>;
  /** Events with seq > since, in seq order, every tenant, at most `limit`. */
  eventsAfter(outlet: string, since: number, limit: number): Promise<StoredEvent[]>;
}

/** How an event reached this node: its own commit, another node's announcement, or the store. */
export type DeliveryOrigin = 'local' | 'remote' | 'store';

export interface Delivery {
  event: StoredEvent;
  origin: DeliveryOrigin;
}

export interface SequencerOptions {
  log: SequencerLog;
  /** Gets every event exactly once per outlet, in seq order with no gaps. */
  deliver: (deliveries: Delivery[]) => void;
  /**
   * Monotonic clock (ms) the lag is timed by: on the wall clock a step back made it negative.
   * Default performance.now.
   */
  elapsed?: () => number;
  /** How long a gap may wait for the announcement still on its way before the store is read. */
  gapWaitMs?: number;
  /** How often the heads are compared with what was delivered (finds lost tails). */
  headCheckMs?: number;
  /** Wait before a failed store read is tried again. */
  retryMs?: number;
  pageSize?: number;
  /** false = no fan-out brings announcements (no Redis): read as soon as a head moved. */
  announced?: boolean;
  /** Events read from the store to fill a gap ('gap') or a lost tail ('tail'). */
  onCaughtUp?: (outlet: string, count: number, reason: 'gap' | 'tail') => void;
  onReadFailed?: (error: unknown) => void;
}

export interface SequencerStatus {
  outlets: number;
  /** How long the outlet furthest behind has been behind (0 = every outlet delivered its head). */
  lagMs: number;
}

export interface Sequencer {
  /** Events from anywhere, in any order, duplicates allowed. */
  offer(events: readonly StoredEvent[], origin: DeliveryOrigin): void;
  /**
   * The outlet's delivered head, the cut for a catch-up: every event up to it is committed and
   * every later one will be delivered. The first call for an outlet starts tracking it.
   */
  delivered(outlet: string): Promise<number>;
  /**
   * Resolves once the outlet's events up to `seq` (committed ones) were delivered here: a
   * client caught up to `seq` from the store goes live only then, so it misses nothing and
   * gets nothing twice.
   */
  deliveredThrough(outlet: string, seq: number): Promise<void>;
  status(): SequencerStatus;
  start(): void;
  stop(): void;
}

interface OutletState {
  outlet: string;
  delivered: number;
  pending: Map<number, Delivery>;
  /** Head seen by the previous check: still undelivered at the next one means it was lost. */
  checkedHead: number;
  gapTimer: ReturnType<typeof setTimeout> | undefined;
  reading: boolean;
  readAgain: boolean;
  waiters: { seq: number; resolve: () => void }[];
  behindSinceMs: number | null;
}

/**
 * Per-outlet ordering of committed events on one cluster node. Announcements between nodes
 * may arrive late, twice, out of order or never; seq N goes out only after N-1, and what
 * went missing is read from the store by seq, so no node depends on the transport's recovery.
 */
export function createSequencer(options: SequencerOptions): Sequencer {
  const { log, deliver } = options;
  const elapsed = options.elapsed ?? (() => performance.now());
  const gapWaitMs = options.gapWaitMs ?? 25;
  const headCheckMs = options.headCheckMs ?? 300;
  const retryMs = options.retryMs ?? 500;
  const pageSize = options.pageSize ?? 500;
  const announced = options.announced ?? true;
  const outlets = new Map<string, OutletState>();
  const starting = new Map<string, Promise<number>>();
  let headTimer: ReturnType<typeof setInterval> | undefined;
  let checking = false;
  let stopped = false;

  function track(outlet: string, delivered: number): OutletState {
    const state: OutletState = {
      outlet,
      delivered,
      pending: new Map(),
      checkedHead: delivered,
      gapTimer: undefined,
      reading: false,
      readAgain: false,
      waiters: [],
      behindSinceMs: null,
    };
    outlets.set(outlet, state);
    return state;
  }

  function markBehind(state: OutletState) {
    const behind = state.pending.size > 0 || state.checkedHead > state.delivered;
    if (!behind) state.behindSinceMs = null;
    else state.behindSinceMs ??= elapsed();
  }

  /** Delivers the run that starts right after the delivered head; returns it. */
  function drain(state: OutletState): Delivery[] {
    const run: Delivery[] = [];
    for (let next = state.pending.get(state.delivered + 1); next; ) {
      state.pending.delete(state.delivered + 1);
      run.push(next);
      state.delivered += 1;
      next = state.pending.get(state.delivered + 1);
    }
    markBehind(state);
    if (run.length > 0) {
      deliver(run);
      if (state.waiters.length > 0) {
        const due = state.waiters.filter((w) => w.seq <= state.delivered);
        state.waiters = state.waiters.filter((w) => w.seq > state.delivered);
        for (const waiter of due) waiter.resolve();
      }
    }
    return run;
  }

  function add(events: readonly StoredEvent[], origin: DeliveryOrigin): Set<OutletState> {
    const touched = new Set<OutletState>();
    for (const event of events) {
      const seq = event.envelope.seq;
      // An outlet first seen through an event has no listener here that waits for older ones
      // (listeners ask `delivered()` first), so its delivery can start at this event.
      const state = outlets.get(event.outlet) ?? track(event.outlet, seq - 1);
      if (seq <= state.delivered || state.pending.has(seq)) continue;
      state.pending.set(seq, { event, origin });
      touched.add(state);
    }
    return touched;
  }

  function offer(events: readonly StoredEvent[], origin: DeliveryOrigin) {
    for (const state of add(events, origin)) {
      drain(state);
      if (state.pending.size > 0 && !state.gapTimer && !state.reading) {
        state.gapTimer = setTimeout(() => {
          state.gapTimer = undefined;
          void readMissing(state.outlet, 'gap');
        }, gapWaitMs);
      }
    }
  }

  async function readMissing(outlet: string, reason: 'gap' | 'tail'): Promise<void> {
    const state = outlets.get(outlet);
    if (!state || stopped) return;
    if (state.reading) {
      state.readAgain = true;
      return;
    }
    state.reading = true;
    if (state.gapTimer) {
      clearTimeout(state.gapTimer);
      state.gapTimer = undefined;
    }
    let count = 0;
    try {
      for (;;) {
        const events = await log.eventsAfter(outlet, state.delivered, pageSize);
        if (stopped) return;
        add(events, 'store');
        count += drain(state).filter((d) => d.origin === 'store').length;
        const wanted = state.pending.size > 0 || state.checkedHead > state.delivered;
        if (events.length < pageSize || !wanted) break;
      }
      if (count > 0) options.onCaughtUp?.(outlet, count, reason);
      state.reading = false;
      if (state.readAgain || state.pending.size > 0) {
        state.readAgain = false;
        // What is still pending is ahead of the store this node reads (a replica behind):
        // look again shortly rather than spin.
        state.gapTimer ??= setTimeout(() => {
          state.gapTimer = undefined;
          void readMissing(outlet, reason);
        }, gapWaitMs);
      }
    } catch (error) {
      state.reading = false;
      state.readAgain = false;
      options.onReadFailed?.(error);
      if (!stopped) {
        state.gapTimer ??= setTimeout(() => {
          state.gapTimer = undefined;
          void readMissing(outlet, reason);
        }, retryMs);
      }
    }
  }

  async function checkHeads(): Promise<void> {
    if (checking || outlets.size === 0) return;
    checking = true;
    try {
      const heads = await log.heads([...outlets.keys()]);
      for (const [outlet, head] of heads) {
        const state = outlets.get(outlet);
        if (!state) continue;
        // Behind the head seen one check ago: its announcement had a whole interval to come.
        let lost = state.checkedHead > state.delivered;
        state.checkedHead = Math.max(state.checkedHead, head);
        if (!announced) lost = state.checkedHead > state.delivered;
        markBehind(state);
        if (lost) void readMissing(outlet, 'tail');
      }
    } catch (error) {
      options.onReadFailed?.(error);
    } finally {
      checking = false;
    }
  }

  function delivered(outlet: string): Promise<number> {
    const state = outlets.get(outlet);
    if (state) return Promise.resolve(state.delivered);
    let start = starting.get(outlet);
    if (!start) {
      start = log
        .heads([outlet])
        .then((heads) => {
          // An event may have started the outlet while its head was read: keep that state.
          const current = outlets.get(outlet) ?? track(outlet, heads.get(outlet) ?? 0);
          return current.delivered;
        })
        .finally(() => starting.delete(outlet));
      starting.set(outlet, start);
    }
    return start;
  }

  return {
    offer,
    delivered,
    async deliveredThrough(outlet, seq) {
      await delivered(outlet);
      const state = outlets.get(outlet)!;
      if (state.delivered >= seq) return;
      // The head check reads the store if the announcements do not bring it in time.
      state.checkedHead = Math.max(state.checkedHead, seq);
      markBehind(state);
      await new Promise<void>((resolve) => state.waiters.push({ seq, resolve }));
    },
    status() {
      let oldest: number | null = null;
      for (const state of outlets.values()) {
        if (state.behindSinceMs !== null && (oldest === null || state.behindSinceMs < oldest)) {
          oldest = state.behindSinceMs;
        }
      }
      return { outlets: outlets.size, lagMs: oldest === null ? 0 : elapsed() - oldest };
    },
    start() {
      stopped = false;
      headTimer ??= setInterval(() => void checkHeads(), headCheckMs);
      headTimer.unref?.();
    },
    stop() {
      stopped = true;
      if (headTimer) clearInterval(headTimer);
      headTimer = undefined;
      for (const state of outlets.values()) {
        if (state.gapTimer) clearTimeout(state.gapTimer);
        state.gapTimer = undefined;
      }
    },
  };
}
