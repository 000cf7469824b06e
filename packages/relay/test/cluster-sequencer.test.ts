import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSequencer, type Delivery, type SequencerLog } from '../src/cluster/sequencer.js';
import type { StoredEvent } from '../src/store/EventStore.js';

function event(outlet: string, seq: number): StoredEvent {
  return {
    outlet,
    tenant: 't1',
    tsMs: 0,
    envelope: {
      seq,
      event_id: `${outlet}-${seq}`,
      type: 'new_order',
      outlet_id: outlet,
      tenant_id: 't1',
      data: {},
      ts: new Date(0).toISOString(),
    },
  } as StoredEvent;
}

/** The shared store as the sequencer sees it: committed events per outlet, reads that can fail. */
function fakeLog() {
  const committed = new Map<string, StoredEvent[]>();
  const reads: string[] = [];
  let failing = 0;
  const log: SequencerLog = {
    async heads(outlets) {
      if (failing > 0) {
        failing -= 1;
        throw new Error('store down');
      }
      return new Map(outlets.map((o) => [o, committed.get(o)?.length ?? 0]));
    },
    async eventsAfter(outlet, since, limit) {
      reads.push(`${outlet}>${since}`);
      if (failing > 0) {
        failing -= 1;
        throw new Error('store down');
      }
      return (committed.get(outlet) ?? []).filter((e) => e.envelope.seq > since).slice(0, limit);
    },
  };
  return {
    log,
    reads,
    /** Commits the next events of an outlet and returns them (what an announcement carries). */
    commit(outlet: string, count = 1): StoredEvent[] {
      const list = committed.get(outlet) ?? [];
      committed.set(outlet, list);
      const added = Array.from({ length: count }, (_, i) => event(outlet, list.length + i + 1));
      list.push(...added);
      return added;
    },
    failNext(times: number) {
      failing = times;
    },
  };
}

function setup(options: { pageSize?: number } = {}) {
  const store = fakeLog();
  const delivered: Delivery[] = [];
  const failures: unknown[] = [];
  const caughtUp: string[] = [];
  const sequencer = createSequencer({
    log: store.log,
    deliver: (deliveries) => delivered.push(...deliveries),
    gapWaitMs: 20,
    headCheckMs: 300,
    retryMs: 500,
    ...options,
    onReadFailed: (error) => failures.push(error),
    onCaughtUp: (outlet, count, reason) => caughtUp.push(`${outlet}:${count}:${reason}`),
  });
  const seqs = (outlet = 'o1') =>
    delivered.filter((d) => d.event.outlet === outlet).map((d) => d.event.envelope.seq);
  return { store, sequencer, delivered, failures, caughtUp, seqs };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('cluster sequencer', () => {
  it('delivers in seq order whatever order the announcements arrive in', async () => {
    const { store, sequencer, seqs } = setup();
    expect(await sequencer.delivered('o1')).toBe(0);
    const [e1, e2, e3] = store.commit('o1', 3);
    sequencer.offer([e3!], 'remote');
    sequencer.offer([e1!], 'remote');
    expect(seqs()).toEqual([1]);
    sequencer.offer([e2!], 'local');
    expect(seqs()).toEqual([1, 2, 3]);
    expect(await sequencer.delivered('o1')).toBe(3);
  });

  it('drops duplicates, from a second announcement or from a store read', async () => {
    const { store, sequencer, delivered } = setup();
    await sequencer.delivered('o1');
    const events = store.commit('o1', 2);
    sequencer.offer(events, 'local');
    sequencer.offer(events, 'remote');
    sequencer.offer([events[0]!], 'store');
    expect(delivered.map((d) => [d.event.envelope.seq, d.origin])).toEqual([
      [1, 'local'],
      [2, 'local'],
    ]);
  });

  it('reads a gap from the store when the missing announcement does not come', async () => {
    const { store, sequencer, seqs, delivered, caughtUp } = setup();
    await sequencer.delivered('o1');
    const events = store.commit('o1', 4);
    sequencer.offer([events[0]!, events[3]!], 'remote');
    expect(seqs()).toEqual([1]);
    await vi.advanceTimersByTimeAsync(19);
    expect(seqs()).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(seqs()).toEqual([1, 2, 3, 4]);
    expect(delivered.map((d) => d.origin)).toEqual(['remote', 'store', 'store', 'remote']);
    expect(caughtUp).toEqual(['o1:2:gap']);
  });

  it('finds a lost tail with the periodic head check, one interval late at most', async () => {
    const { store, sequencer, seqs, caughtUp } = setup();
    sequencer.start();
    await sequencer.delivered('o1');
    store.commit('o1', 2); // announcements lost (Redis restarted)
    await vi.advanceTimersByTimeAsync(300);
    // The first check only notes the head: the announcement may still be on its way.
    expect(seqs()).toEqual([]);
    expect(sequencer.status().lagMs).toBe(0);
    await vi.advanceTimersByTimeAsync(300);
    expect(seqs()).toEqual([1, 2]);
    expect(caughtUp).toEqual(['o1:2:tail']);
    expect(sequencer.status().lagMs).toBe(0);
    sequencer.stop();
  });

  it('does not read the store when announcements keep up', async () => {
    const { store, sequencer, seqs } = setup();
    sequencer.start();
    await sequencer.delivered('o1');
    for (let i = 0; i < 5; i += 1) {
      sequencer.offer(store.commit('o1'), 'remote');
      await vi.advanceTimersByTimeAsync(300);
    }
    expect(seqs()).toEqual([1, 2, 3, 4, 5]);
    expect(store.reads).toEqual([]);
    sequencer.stop();
  });

  it('retries a failed catch-up until the store answers, then delivers in order', async () => {
    const { store, sequencer, seqs, failures } = setup();
    await sequencer.delivered('o1');
    const events = store.commit('o1', 3);
    store.failNext(2);
    sequencer.offer([events[2]!], 'remote');
    await vi.advanceTimersByTimeAsync(20);
    expect(failures).toHaveLength(1);
    expect(seqs()).toEqual([]);
    expect(sequencer.status().lagMs).toBe(20);
    await vi.advanceTimersByTimeAsync(500);
    expect(failures).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(500);
    expect(seqs()).toEqual([1, 2, 3]);
    expect(sequencer.status().lagMs).toBe(0);
  });

  it('reads a long gap page by page', async () => {
    const {
      store,
      sequencer,
      seqs,
      store: { reads },
    } = setup({ pageSize: 2 });
    await sequencer.delivered('o1');
    const events = store.commit('o1', 5);
    sequencer.offer([events[4]!], 'remote');
    await vi.advanceTimersByTimeAsync(20);
    expect(seqs()).toEqual([1, 2, 3, 4, 5]);
    expect(reads).toEqual(['o1>0', 'o1>2']);
  });

  it('keeps outlets apart: a gap in one does not hold the other', async () => {
    const { store, sequencer, seqs } = setup();
    await sequencer.delivered('o1');
    await sequencer.delivered('o2');
    const a = store.commit('o1', 2);
    const b = store.commit('o2', 1);
    sequencer.offer([a[1]!, b[0]!], 'remote');
    expect(seqs('o2')).toEqual([1]);
    expect(seqs('o1')).toEqual([]);
    await vi.advanceTimersByTimeAsync(20);
    expect(seqs('o1')).toEqual([1, 2]);
  });

  it('starts an outlet nobody asked for at its first event', () => {
    const { store, sequencer, seqs } = setup();
    store.commit('o1', 6);
    const [seven] = store.commit('o1');
    sequencer.offer([seven!], 'remote');
    expect(seqs()).toEqual([7]);
  });

  it('cuts a catch-up at what was delivered, not at the store head', async () => {
    const { store, sequencer } = setup();
    await sequencer.delivered('o1');
    const events = store.commit('o1', 3);
    sequencer.offer([events[0]!], 'remote');
    // seq 2 and 3 are committed but not delivered here yet: a client cut at 1 gets them live.
    expect(await sequencer.delivered('o1')).toBe(1);
  });

  it('lets a replay go live only once the node delivered through the head it read', async () => {
    const { store, sequencer } = setup();
    sequencer.start();
    await sequencer.delivered('o1');
    const events = store.commit('o1', 3);
    let live = false;
    const through = sequencer.deliveredThrough('o1', 3).then(() => {
      live = true;
    });
    sequencer.offer([events[0]!, events[1]!], 'remote');
    await vi.advanceTimersByTimeAsync(0);
    expect(live).toBe(false);
    sequencer.offer([events[2]!], 'remote');
    await through;
    expect(live).toBe(true);
    sequencer.stop();
  });

  it('reads a lost announcement for a waiting replay at the next head check', async () => {
    const { store, sequencer, seqs } = setup();
    sequencer.start();
    await sequencer.delivered('o1');
    store.commit('o1', 2);
    const through = sequencer.deliveredThrough('o1', 2);
    await vi.advanceTimersByTimeAsync(300);
    await through;
    expect(seqs()).toEqual([1, 2]);
    sequencer.stop();
  });

  it('without a fan-out reads a moved head at the first check', async () => {
    const store = fakeLog();
    const delivered: number[] = [];
    const sequencer = createSequencer({
      log: store.log,
      announced: false,
      headCheckMs: 300,
      deliver: (d) => delivered.push(...d.map((x) => x.event.envelope.seq)),
    });
    sequencer.start();
    await sequencer.delivered('o1');
    store.commit('o1', 2);
    await vi.advanceTimersByTimeAsync(300);
    expect(delivered).toEqual([1, 2]);
    sequencer.stop();
  });
});
