import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CentralReset } from '../../../src/socket/types.js';
import { FakeWebSocket, resetFakes, socketServices } from './fakes.js';

const services = socketServices({
  centralWsUrl: 'ws://central.test/ws/outlet/1/?token=t0k',
  WebSocket: (url) => FakeWebSocket.factory(url),
  reconnect: { min: 1_000, max: 1_000, factor: 1, jitter: 0 },
});

/** A frame as the Django consumer sends it: the envelope in `data`, the log's seq beside it. */
function frame(seq: number | undefined, eventId = `e-${seq}`, orderId = `o-${seq}`) {
  return {
    event: 'new_order',
    data: {
      event_id: eventId,
      type: 'new_order',
      outlet_id: 1,
      tenant_id: null,
      order_id: orderId,
      data: { order_id: orderId, status: 'pending' },
      ts: '2026-01-01T00:00:00Z',
    },
    ...(seq === undefined ? {} : { seq }),
  };
}

function sinceOf(ws: FakeWebSocket): string | null {
  return new URL(ws.url).searchParams.get('since');
}

function sinceEventOf(ws: FakeWebSocket): string | null {
  return new URL(ws.url).searchParams.get('since_event');
}

/** A started service with its central socket open; records dispatched event ids and seqs. */
function openCentral(overrides = {}) {
  const s = services.make(overrides);
  const got: Array<[string, number | undefined]> = [];
  s.on('event', (e, _source, seq) => got.push([e.event_id, seq]));
  s.start();
  FakeWebSocket.latest().serverOpen();
  return { s, got };
}

async function reconnect(): Promise<FakeWebSocket> {
  FakeWebSocket.latest().serverClose();
  await vi.advanceTimersByTimeAsync(1_000);
  const ws = FakeWebSocket.latest();
  ws.serverOpen();
  return ws;
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
  resetFakes();
});

describe('central socket resume', () => {
  it('starts live, then resumes after the head central reported and the last seq it got', async () => {
    const { s, got } = openCentral();
    expect(sinceOf(FakeWebSocket.latest())).toBeNull();
    FakeWebSocket.latest().serverSend({ type: 'caught_up', seq: 40 });
    expect(s.centralCursor.get()?.since).toBe(40);

    let ws = await reconnect();
    expect(sinceOf(ws)).toBe('40');
    expect(new URL(ws.url).searchParams.get('token')).toBe('t0k');
    ws.serverSend(frame(41));
    ws.serverSend(frame(42));
    ws.serverSend({ type: 'caught_up', seq: 42 });
    expect(got).toEqual([
      ['e-41', 41],
      ['e-42', 42],
    ]);

    ws = await reconnect();
    expect(sinceOf(ws)).toBe('42');
    // Central events never move the relay cursor.
    expect(s.cursor.get()).toEqual({ since: 0, epoch: null });
  });

  it('drops a seq it already dispatched, even under another event id', () => {
    const { s, got } = openCentral();
    const ws = FakeWebSocket.latest();
    ws.serverSend(frame(7));
    ws.serverSend(frame(7, 'e-other', 'o-other'));
    ws.serverSend(frame(8));
    expect(got.map(([id]) => id)).toEqual(['e-7', 'e-8']);
    expect(s.centralCursor.get()?.since).toBe(8);
  });

  it('moves the central cursor for a seq whose copy came from the relay first', () => {
    const { s, got } = openCentral();
    const ws = FakeWebSocket.latest();
    ws.serverSend(frame(undefined, 'e-shared', 'o-1'));
    ws.serverSend(frame(9, 'e-shared', 'o-1'));
    expect(got).toEqual([['e-shared', undefined]]);
    expect(s.centralCursor.get()?.since).toBe(9);
  });

  it('dispatches events without a seq and leaves the central cursor where it was', async () => {
    const { s, got } = openCentral();
    const ws = FakeWebSocket.latest();
    ws.serverSend({ type: 'caught_up', seq: 3 });
    ws.serverSend(frame(undefined, 'e-a', 'o-a'));
    ws.serverSend(frame(undefined, 'e-b', 'o-b'));
    expect(got.map(([id]) => id)).toEqual(['e-a', 'e-b']);
    expect(s.centralCursor.get()?.since).toBe(3);
    expect(sinceOf(await reconnect())).toBe('3');
  });

  it('on reset tells the app, takes central head and forgets the seqs it saw', async () => {
    const { s, got } = openCentral();
    const resets: CentralReset[] = [];
    s.on('central:reset', (reset) => resets.push(reset));
    FakeWebSocket.latest().serverSend(frame(50));
    const ws = await reconnect();
    expect(sinceOf(ws)).toBe('50');
    ws.serverSend({ type: 'reset', seq: 2 });
    ws.serverSend({ type: 'caught_up', seq: 2 });
    expect(resets).toEqual([{ seq: 2 }]);
    expect(s.centralCursor.get()?.since).toBe(2);
    // A new log numbers from 1 again: its seq 50 is another event.
    ws.serverSend(frame(50, 'e-new-50', 'o-new'));
    expect(got.map(([id]) => id)).toEqual(['e-50', 'e-new-50']);
  });

  it('forgets a cursor central refused, so the retry does not send it again', async () => {
    const { s } = openCentral({ centralCursor: { get: () => null } });
    const resets: CentralReset[] = [];
    s.on('central:reset', (reset) => resets.push(reset));
    FakeWebSocket.latest().serverSend(frame(5));
    const ws = await reconnect();
    ws.serverSend({
      type: 'error',
      code: 'invalid_payload',
      message: 'since must be a non-negative integer',
    });
    expect(resets).toEqual([{ seq: null }]);
    ws.serverClose();
    expect(s.status.get().error?.code).toBe('invalid_payload');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sinceOf(FakeWebSocket.latest())).toBeNull();
  });

  it('reads the central cursor source at every connect and reconnects when it changes', async () => {
    let stored: number | null = 12;
    const { s, got } = openCentral({ centralCursor: { get: () => stored } });
    expect(sinceOf(FakeWebSocket.latest())).toBe('12');
    FakeWebSocket.latest().serverSend(frame(13));
    // The store has not written 13 yet: the resume asks again and the copy is dropped.
    let ws = await reconnect();
    expect(sinceOf(ws)).toBe('12');
    ws.serverSend(frame(13));
    expect(got).toEqual([['e-13', 13]]);

    stored = 30;
    const before = FakeWebSocket.instances.length;
    s.useCentralCursor({ get: () => 20 });
    expect(FakeWebSocket.instances.length).toBe(before + 1);
    ws = FakeWebSocket.latest();
    expect(sinceOf(ws)).toBe('20');
    expect(s.centralCursor.get()?.since).toBe(20);
  });
});

describe('central cursor proves the log did not go back (since_event)', () => {
  it('resumes with the event caught_up named, then with the last event applied', async () => {
    const { s } = openCentral();
    FakeWebSocket.latest().serverSend({ type: 'caught_up', seq: 40, event_id: 'e-40' });
    expect(s.centralCursor.get()).toEqual({ since: 40, since_event: 'e-40' });
    let ws = await reconnect();
    expect([sinceOf(ws), sinceEventOf(ws)]).toEqual(['40', 'e-40']);
    ws.serverSend(frame(41));
    // A central before event_id in caught_up: at the cursor's own seq the applied event stays.
    ws.serverSend({ type: 'caught_up', seq: 41 });
    ws = await reconnect();
    expect([sinceOf(ws), sinceEventOf(ws)]).toEqual(['41', 'e-41']);
    // Past it without a name: no event to send, the seq alone.
    ws.serverSend({ type: 'caught_up', seq: 45 });
    ws = await reconnect();
    expect([sinceOf(ws), sinceEventOf(ws)]).toEqual(['45', null]);
  });

  it('takes the event a reset names, and tells the app', async () => {
    const { s } = openCentral();
    const resets: CentralReset[] = [];
    s.on('central:reset', (reset) => resets.push(reset));
    const caughtUp: unknown[] = [];
    s.on('central:caught_up', (message) => caughtUp.push(message));
    FakeWebSocket.latest().serverSend(frame(50));
    const ws = await reconnect();
    expect([sinceOf(ws), sinceEventOf(ws)]).toEqual(['50', 'e-50']);
    ws.serverSend({ type: 'reset', seq: 52, event_id: 'e-new-52' });
    ws.serverSend({ type: 'caught_up', seq: 52, event_id: 'e-new-52' });
    expect(resets).toStrictEqual([{ seq: 52, event_id: 'e-new-52' }]);
    expect(caughtUp).toStrictEqual([{ seq: 52, event_id: 'e-new-52' }]);
    expect(sinceEventOf(await reconnect())).toBe('e-new-52');
  });

  it('names the event at the contiguous seq when a gap fills, not the last to arrive', async () => {
    const { s } = openCentral();
    const ws = FakeWebSocket.latest();
    ws.serverSend({ type: 'caught_up', seq: 5, event_id: 'e-5' });
    ws.serverSend(frame(7));
    expect(s.centralCursor.get()).toEqual({ since: 5, since_event: 'e-5' });
    ws.serverSend(frame(6));
    expect(s.centralCursor.get()).toEqual({ since: 7, since_event: 'e-7' });
  });

  it('ignores an event_id that is not a string of at most 64 characters', async () => {
    const { s } = openCentral();
    FakeWebSocket.latest().serverSend({ type: 'caught_up', seq: 3, event_id: 'e'.repeat(65) });
    FakeWebSocket.latest().serverSend({ type: 'caught_up', seq: 4, event_id: 4 });
    expect(s.centralCursor.get()).toStrictEqual({ since: 4 });
    expect(sinceEventOf(await reconnect())).toBeNull();
  });

  it('resumes from a source giving a seq alone (stored before since_event) or a cursor', async () => {
    let stored: unknown = 12;
    const { s } = openCentral({ centralCursor: { get: () => stored } });
    let ws = FakeWebSocket.latest();
    expect([sinceOf(ws), sinceEventOf(ws)]).toEqual(['12', null]);
    expect(s.centralCursor.get()).toStrictEqual({ since: 12 });
    stored = { since: 14, since_event: 'e-14' };
    ws = await reconnect();
    expect([sinceOf(ws), sinceEventOf(ws)]).toEqual(['14', 'e-14']);
  });
});

describe('central frames out of order', () => {
  it('resumes below a gap: 6 arrives after the drop, once, and 7 is not dispatched twice', async () => {
    const { s, got } = openCentral();
    let ws = FakeWebSocket.latest();
    ws.serverSend({ type: 'caught_up', seq: 5 });
    // Channels delivered 7 first; the socket drops before 6 comes.
    ws.serverSend(frame(7));
    expect(got).toEqual([['e-7', 7]]);
    expect(s.centralCursor.get()?.since).toBe(5);

    ws = await reconnect();
    expect(sinceOf(ws)).toBe('5');
    ws.serverSend(frame(6));
    ws.serverSend(frame(7));
    ws.serverSend({ type: 'caught_up', seq: 7 });
    expect(got).toEqual([
      ['e-7', 7],
      ['e-6', 6],
    ]);
    expect(s.centralCursor.get()?.since).toBe(7);
    expect(sinceOf(await reconnect())).toBe('7');
  });

  it('moves the cursor as soon as the missing seq arrives live', () => {
    const { s, got } = openCentral();
    const ws = FakeWebSocket.latest();
    ws.serverSend({ type: 'caught_up', seq: 5 });
    ws.serverSend(frame(8));
    ws.serverSend(frame(7));
    expect(s.centralCursor.get()?.since).toBe(5);
    ws.serverSend(frame(6));
    expect(s.centralCursor.get()?.since).toBe(8);
    expect(got.map(([, seq]) => seq)).toEqual([8, 7, 6]);
  });

  it('takes caught_up as the truth: a seq central never logged does not hold the cursor back', async () => {
    const { s, got } = openCentral();
    let ws = FakeWebSocket.latest();
    ws.serverSend({ type: 'caught_up', seq: 5 });
    ws.serverSend(frame(7));
    ws = await reconnect();
    expect(sinceOf(ws)).toBe('5');
    // Central's log has no 6 (its transaction rolled back): the replay is 7 alone.
    ws.serverSend(frame(7));
    ws.serverSend({ type: 'caught_up', seq: 7 });
    expect(s.centralCursor.get()?.since).toBe(7);
    ws.serverSend(frame(8));
    expect(s.centralCursor.get()?.since).toBe(8);
    expect(got.map(([, seq]) => seq)).toEqual([7, 8]);
    expect(sinceOf(await reconnect())).toBe('8');
  });

  it('dispatches every one of many shuffled frames once across a drop, ending at the head', async () => {
    const count = 200;
    const { s, got } = openCentral();
    let ws = FakeWebSocket.latest();
    ws.serverSend({ type: 'caught_up', seq: 0 });
    // Frames arrive up to 10 places out of order; the socket drops mid-run.
    const live = outOfOrder(count, 10, 42).slice(0, Math.floor(count * 0.575));
    for (const seq of live) ws.serverSend(frame(seq));
    // The cursor is the longest run 1..k that arrived, whatever the order.
    const arrived = new Set(live);
    let contiguous = 0;
    while (arrived.has(contiguous + 1)) contiguous++;
    expect(s.centralCursor.get()?.since).toBe(contiguous);
    expect(contiguous).toBeLessThan(Math.max(...live));

    ws = await reconnect();
    expect(sinceOf(ws)).toBe(String(contiguous));
    for (let seq = contiguous + 1; seq <= count; seq++) ws.serverSend(frame(seq));
    ws.serverSend({ type: 'caught_up', seq: count });

    const seqs = got.map(([, seq]) => seq);
    expect(seqs).toHaveLength(count);
    expect(new Set(seqs).size).toBe(count);
    expect(s.centralCursor.get()?.since).toBe(count);
  });
});

/** 1..n, each run of `window` seqs shuffled (Park-Miller from `seed`, so a failure replays). */
function outOfOrder(n: number, window: number, seed: number): number[] {
  const seqs = Array.from({ length: n }, (_, i) => i + 1);
  let state = seed;
  for (let i = n - 1; i > 0; i--) {
    state = (state * 48_271) % 2_147_483_647;
    const j = i - (state % Math.min(window, (i % window) + 1));
    [seqs[i], seqs[j]] = [seqs[j] as number, seqs[i] as number];
  }
  return seqs;
}
