import type { EventEnvelope, SnapshotMessage } from '@kitchen-sync/protocol';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Cursor, EventSource, SocketService } from '../../../src/socket/types.js';
import { FakeRelaySocket, FakeWebSocket, orderEvent, resetFakes, socketServices } from './fakes.js';

const services = socketServices({
  centralUrl: 'https://central.test',
  relayUrl: 'http://relay.test:3001',
  token: 'tok',
  clientId: 'kds-1',
  WebSocket: FakeWebSocket.factory,
  io: FakeRelaySocket.factory,
  // Polling is covered in polling.test.ts; here it must not reach the network.
  fetch: () => new Promise<Response>(() => {}),
  reconnect: { min: 1_000, max: 30_000, jitter: 0.5 },
});
const make = services.make;

/** A started relay-only service whose relay socket has accepted. */
async function openRelay(): Promise<{ s: SocketService; relay: FakeRelaySocket }> {
  const s = make({ centralUrl: undefined });
  s.start();
  await vi.advanceTimersByTimeAsync(0);
  const relay = FakeRelaySocket.latest();
  relay.accept();
  return { s, relay };
}

function record(s: SocketService) {
  const log: Array<{ kind: string; id: string; source: EventSource }> = [];
  s.on('event', (e, source) => log.push({ kind: 'event', id: e.event_id, source }));
  s.on('sync:snapshot', (snap, source) =>
    log.push({ kind: 'snapshot', id: String(snap.seq), source }),
  );
  s.on('sync:caught_up', (c, source) => log.push({ kind: 'caught_up', id: String(c.seq), source }));
  return log;
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-03T10:00:00Z') });
  resetFakes();
});

describe('status and modes', () => {
  it('starts disconnected and becomes connected when the relay socket accepts', async () => {
    const s = make({ centralUrl: undefined });
    expect(s.status.get()).toMatchObject({ mode: 'disconnected', localConnected: false });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeRelaySocket.latest().accept();
    expect(s.status.get()).toEqual({
      mode: 'connected',
      centralConnected: false,
      localConnected: true,
      isPolling: false,
      pollConnected: false,
      lastConnected: Date.parse('2026-01-03T10:00:00Z'),
      error: null,
      reason: null,
      bridge: null,
      secureContext: null,
    });
    expect(s.isConnected()).toBe(true);
  });

  it('says whether the page is a secure context (plain http on a LAN address is not)', () => {
    const page = (isSecureContext: boolean) => ({
      href: 'http://192.168.1.20:5173/',
      isSecureContext,
    });
    expect(make({ page: page(false) }).status.get().secureContext).toBe(false);
    expect(make({ page: page(true) }).status.get().secureContext).toBe(true);
  });

  it('builds the central URL ws(s)://host/ws/outlet/{id}/ from an https base', () => {
    make({ relayUrl: undefined, outletId: 'outlet 7' }).start();
    expect(FakeWebSocket.latest().url).toBe('wss://central.test/ws/outlet/outlet%207/');
  });

  it('polls only after the grace period when no socket is up, and stops when central returns', async () => {
    const s = make({ pollingGraceMs: 3_000 });
    s.start();
    await vi.advanceTimersByTimeAsync(2_999);
    expect(s.status.get().isPolling).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    // Polling, but no poll has been answered yet: nothing is reachable so far.
    expect(s.status.get()).toMatchObject({
      mode: 'disconnected',
      isPolling: true,
      pollConnected: false,
    });

    FakeWebSocket.latest().serverOpen();
    // Central is up, the relay is not: orders wait, so the mode does not say "connected".
    expect(s.status.get()).toMatchObject({
      mode: 'central_only',
      centralConnected: true,
      isPolling: false,
    });
  });

  it('never polls while a socket is up, and polls again after the grace once both are down', async () => {
    const s = make({ pollingGraceMs: 3_000 });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeRelaySocket.latest().accept();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(s.status.get().isPolling).toBe(false);

    FakeRelaySocket.latest().drop();
    expect(s.status.get()).toMatchObject({ mode: 'disconnected', localConnected: false });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(s.status.get()).toMatchObject({ mode: 'disconnected', isPolling: true });
  });

  it('says why nothing flows between the relay socket closing and any error, and not after stop()', async () => {
    const s = make({ centralUrl: undefined, pollingGraceMs: 3_000 });
    s.start();
    expect(s.status.get()).toMatchObject({ mode: 'disconnected', error: null });
    expect(s.status.get().reason).toMatch(/relay/);
    await vi.advanceTimersByTimeAsync(0);
    FakeRelaySocket.latest().accept();
    expect(s.status.get().reason).toBeNull();

    FakeRelaySocket.latest().drop();
    expect(s.status.get()).toMatchObject({ mode: 'disconnected', error: null });
    expect(s.status.get().reason).toMatch(/relay.*lost/);

    s.stop();
    expect(s.status.get()).toMatchObject({ mode: 'disconnected', reason: null });
  });

  it('without a relay, the reason names central', async () => {
    const s = make({ relayUrl: undefined });
    s.start();
    FakeWebSocket.latest().serverOpen();
    FakeWebSocket.latest().serverClose();
    expect(s.status.get()).toMatchObject({ mode: 'disconnected', error: null });
    expect(s.status.get().reason).toMatch(/central.*lost/);
  });

  it("retries at once on the browser's online event instead of waiting out the backoff", async () => {
    const win = new EventTarget();
    const s = make({ relayUrl: undefined, window: win, reconnect: { min: 30_000, jitter: 0 } });
    s.start();
    FakeWebSocket.latest().serverClose();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    win.dispatchEvent(new Event('online'));
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.latest().serverOpen();
    expect(s.status.get().centralConnected).toBe(true);
    // The pending backoff timer was cancelled: no third socket.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it("drops central's socket on the browser's offline event rather than wait for its keepalive", async () => {
    const win = new EventTarget();
    const s = make({ relayUrl: undefined, window: win, reconnect: { min: 30_000, jitter: 0 } });
    s.start();
    const first = FakeWebSocket.latest();
    first.serverOpen();
    win.dispatchEvent(new Event('offline'));
    expect(first.closedByClient).toBe(true);
    expect(s.status.get()).toMatchObject({ mode: 'disconnected', centralConnected: false });
    // It keeps trying (the event may be wrong): a socket that opens is up again.
    FakeWebSocket.latest().serverOpen();
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(s.status.get().centralConnected).toBe(true);
  });

  it('stop() releases sockets and timers: nothing reconnects afterwards', async () => {
    const s = make();
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeWebSocket.latest().serverOpen();
    FakeRelaySocket.latest().accept();
    s.stop();
    expect(FakeWebSocket.latest().closedByClient).toBe(true);
    expect(FakeRelaySocket.latest().connected).toBe(false);
    expect(s.status.get()).toMatchObject({ mode: 'disconnected', isPolling: false });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(FakeRelaySocket.latest().attempts).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('restart', () => {
  it('start() after stop() connects again and resumes from the cursor', async () => {
    const { s, relay: socket } = await openRelay();
    socket.sendCaughtUp({ seq: 9, epoch: 'ep1' });
    s.stop();
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(socket.attempts.at(-1)).toEqual({
      token: 'tok',
      client_id: 'kds-1',
      since: 9,
      epoch: 'ep1',
    });
    socket.accept();
    expect(s.status.get()).toMatchObject({ mode: 'connected', localConnected: true });
  });
});

describe('local transport', () => {
  it('sends token, client_id and the cursor in the handshake, asking the token at every connect', async () => {
    let n = 0;
    const s = make({ centralUrl: undefined, token: () => `tok-${++n}` });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const socket = FakeRelaySocket.latest();
    expect(socket.url).toBe('http://relay.test:3001');
    expect(socket.options).toMatchObject({ autoConnect: false, reconnection: false });
    socket.accept();
    socket.sendSnapshot({ orders: [], seq: 40, epoch: 'ep1' });
    socket.sendCaughtUp({ seq: 40, epoch: 'ep1' });
    const last = orderEvent({ seq: 41 });
    socket.sendEvent(last);
    socket.drop();
    await vi.advanceTimersByTimeAsync(1_000);
    // With the id of the event applied at 41: the relay checks its log still holds it there.
    expect(socket.attempts).toEqual([
      { token: 'tok-1', client_id: 'kds-1' },
      { token: 'tok-2', client_id: 'kds-1', since: 41, epoch: 'ep1', since_event: last.event_id },
    ]);
  });

  it('resumes with the event_id a caught_up or snapshot names at its seq (an event this client was not sent)', async () => {
    const s = make({ centralUrl: undefined });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const socket = FakeRelaySocket.latest();
    socket.accept();
    socket.sendSnapshot({ orders: [], seq: 40, epoch: 'ep1', event_id: 'id-at-40' });
    expect(s.cursor.get()).toEqual({ since: 40, epoch: 'ep1', since_event: 'id-at-40' });
    socket.sendCaughtUp({ seq: 40, epoch: 'ep1', event_id: 'id-at-40' });
    socket.drop();
    await vi.advanceTimersByTimeAsync(1_000);
    FakeRelaySocket.latest().accept();
    FakeRelaySocket.latest().sendCaughtUp({ seq: 45, epoch: 'ep1', event_id: 'id-at-45' });
    expect(s.cursor.get()).toEqual({ since: 45, epoch: 'ep1', since_event: 'id-at-45' });
    // A relay before it names none: the cursor moves without a proof, as it did.
    FakeRelaySocket.latest().sendCaughtUp({ seq: 47, epoch: 'ep1' });
    expect(s.cursor.get()).toEqual({ since: 47, epoch: 'ep1' });
    expect(socket.attempts[1]).toMatchObject({ since: 40, since_event: 'id-at-40' });
  });

  it('reads a CursorSource at every reconnect instead of its own cursor', async () => {
    let persisted: Cursor = { since: 5, epoch: 'ep1' };
    const s = make({ centralUrl: undefined, cursor: { get: () => persisted } });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const socket = FakeRelaySocket.latest();
    socket.accept();
    socket.sendEvent(orderEvent({ seq: 6 }));
    const seventh = orderEvent({ seq: 7 });
    socket.sendEvent(seventh);
    expect(s.cursor.get()).toEqual({ since: 7, epoch: 'ep1', since_event: seventh.event_id });
    // The feed stored only up to 6 before the link dropped.
    persisted = { since: 6, epoch: 'ep1' };
    socket.drop();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(socket.attempts.map((a) => (a as { since?: number }).since)).toEqual([5, 6]);
    expect(s.cursor.get()).toEqual({ since: 6, epoch: 'ep1' });
  });

  it('resumes a cursor stored by an older release (no since_event), or with a damaged one, by since and epoch alone', async () => {
    for (const stored of [
      { since: 5, epoch: 'ep1' },
      { since: 5, epoch: 'ep1', since_event: 42 as unknown as string },
    ]) {
      const s = make({ centralUrl: undefined, cursor: { get: () => stored } });
      s.start();
      await vi.advanceTimersByTimeAsync(0);
      expect(FakeRelaySocket.latest().attempts).toEqual([
        { token: 'tok', client_id: 'kds-1', since: 5, epoch: 'ep1' },
      ]);
      s.stop();
    }
  });

  it('useCursor() before start() resumes from that source; after start() it reconnects from it', async () => {
    const s = make({ centralUrl: undefined });
    s.useCursor({ get: () => ({ since: 4, epoch: 'ep1' }) });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const first = FakeRelaySocket.latest();
    first.accept();
    expect(s.cursor.get()).toEqual({ since: 4, epoch: 'ep1' });

    // A feed that joins a running service: the relay must resume from what the feed stored.
    s.useCursor({ get: () => ({ since: 2, epoch: 'ep1' }) });
    await vi.advanceTimersByTimeAsync(0);
    expect(first.attempts.map((a) => (a as { since?: number }).since)).toEqual([4, 2]);
    expect(s.cursor.get()).toEqual({ since: 2, epoch: 'ep1' });
  });

  it('after useCursor() on a running service, events resent from that cursor are delivered again', async () => {
    const { s, relay } = await openRelay();
    relay.sendCaughtUp({ seq: 10, epoch: 'ep1' });
    const missed = orderEvent({ seq: 11 });
    // Dispatched while no feed listened (an app swapping screens).
    relay.sendEvent(missed);

    const got: number[] = [];
    s.on('event', (e) => got.push(e.seq ?? -1));
    s.useCursor({ get: () => ({ since: 10, epoch: 'ep1' }) });
    await vi.advanceTimersByTimeAsync(0);
    relay.accept();
    relay.sendEvent(missed);
    expect(got).toEqual([11]);
  });

  it('applies snapshot and caught_up in order and advances the cursor only after listeners ran', async () => {
    const s = make({ centralUrl: undefined });
    const seen: Array<[string, Cursor]> = [];
    s.on('sync:snapshot', () => seen.push(['snapshot', s.cursor.get()]));
    s.on('new_order', (e) => seen.push([`event ${e.seq}`, s.cursor.get()]));
    s.on('sync:caught_up', () => seen.push(['caught_up', s.cursor.get()]));
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const socket = FakeRelaySocket.latest();
    socket.accept();
    const snapshot: SnapshotMessage = { orders: [], seq: 10, epoch: 'ep9' };
    socket.sendSnapshot(snapshot);
    const eleventh = orderEvent({ seq: 11 });
    socket.sendEvent(eleventh);
    socket.sendCaughtUp({ seq: 11, epoch: 'ep9' });
    const at11 = { since: 11, epoch: 'ep9', since_event: eleventh.event_id };
    expect(seen).toEqual([
      ['snapshot', { since: 0, epoch: null }],
      ['event 11', { since: 10, epoch: 'ep9' }],
      ['caught_up', at11],
    ]);
    // caught_up at the seq just applied keeps the event's id; one past it has none to keep.
    expect(s.cursor.get()).toEqual(at11);
    socket.sendCaughtUp({ seq: 11, epoch: 'ep9' });
    expect(s.cursor.get()).toEqual(at11);
    socket.sendSnapshot({ orders: [], seq: 11, epoch: 'ep9' });
    expect(s.cursor.get()).toEqual(at11);
    socket.sendCaughtUp({ seq: 12, epoch: 'ep9' });
    expect(s.cursor.get()).toStrictEqual({ since: 12, epoch: 'ep9' });
  });

  it('reports a refused token as code unauthorized, lets the app refresh it, and keeps retrying', async () => {
    let token = 'expired';
    const refreshed: string[] = [];
    const s = make({
      centralUrl: undefined,
      token: () => token,
      onUnauthorized: () => {
        token = 'fresh';
        refreshed.push(token);
      },
    });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const socket = FakeRelaySocket.latest();
    socket.refuse('unauthorized');
    expect(s.status.get().error?.code).toBe('unauthorized');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(refreshed).toEqual(['fresh']);
    expect(socket.attempts.map((a) => (a as { token: string }).token)).toEqual([
      'expired',
      'fresh',
    ]);
    socket.accept();
    expect(s.status.get()).toMatchObject({ error: null, localConnected: true });
  });

  it('a token function that throws is unauthorized: onUnauthorized refreshes it, then it connects', async () => {
    let broken = true;
    const refreshed: number[] = [];
    const s = make({
      centralUrl: undefined,
      token: () => {
        if (broken) throw new Error('token endpoint down');
        return 'fresh';
      },
      onUnauthorized: () => {
        broken = false;
        refreshed.push(Date.now());
      },
    });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(s.status.get().error?.code).toBe('unauthorized');
    expect(refreshed).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    const socket = FakeRelaySocket.latest();
    expect(socket.attempts.map((a) => (a as { token: string }).token)).toEqual(['fresh']);
    socket.accept();
    expect(s.status.get()).toMatchObject({ error: null, localConnected: true });
  });

  it('a socket factory that throws is reported and retried, never left half-open', async () => {
    let calls = 0;
    const s = make({
      centralUrl: undefined,
      io: (url, options) => {
        calls++;
        if (calls === 1) throw new TypeError('bad relay URL');
        return FakeRelaySocket.factory(url, options);
      },
    });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(s.status.get().error?.code).toBe('network');
    await vi.advanceTimersByTimeAsync(1_500);
    expect(calls).toBe(2);
    FakeRelaySocket.latest().accept();
    expect(s.status.get()).toMatchObject({ error: null, localConnected: true });
  });

  it('request() resolves with the ack, rejects network when offline and timeout when no ack comes', async () => {
    const s = make({ centralUrl: undefined });
    await expect(s.request('order:ack', { order_id: 'x' })).rejects.toMatchObject({
      code: 'network',
    });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const socket = FakeRelaySocket.latest();
    socket.accept();

    const acked = s.request('order:publish', { order_id: 'a' });
    socket.emitted[0]?.ack?.({ ok: true, seq: 1, duplicate: false });
    await expect(acked).resolves.toEqual({ ok: true, seq: 1, duplicate: false });
    expect(socket.emitted[0]).toMatchObject({ event: 'order:publish', payload: { order_id: 'a' } });

    const late = s.request(
      'order:update',
      { order_id: 'a', status: 'ready' },
      { timeoutMs: 2_000 },
    );
    const lateResult = expect(late).rejects.toMatchObject({ code: 'timeout' });
    await vi.advanceTimersByTimeAsync(2_000);
    await lateResult;

    const cut = s.request('order:ack', { order_id: 'a' });
    const cutResult = expect(cut).rejects.toMatchObject({ code: 'network' });
    socket.drop();
    await cutResult;
  });
});

describe('merged stream', () => {
  it('dispatches an event seen on central and relay once, by event_id or by content', async () => {
    const s = make();
    const log = record(s);
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const ws = FakeWebSocket.latest();
    const relay = FakeRelaySocket.latest();
    ws.serverOpen();
    relay.accept();

    const a = orderEvent({ seq: 1 });
    relay.sendEvent(a);
    ws.serverSend({ event: 'new_order', data: { ...a, seq: 99 } });

    // Django forwards the order itself, without an event_id: matched by
    // type:order_id:status:version.
    const b = orderEvent({ seq: 2 });
    ws.serverSend({ event: 'new_order', data: b.data });
    relay.sendEvent(b);

    const c = orderEvent({
      seq: 3,
      type: 'order_updated',
      status: 'preparing',
      order_id: b.order_id,
    });
    relay.sendEvent(c);
    relay.sendEvent(c);

    expect(log).toEqual([
      { kind: 'event', id: a.event_id, source: 'local' },
      { kind: 'event', id: `new_order:${b.order_id}:pending:1`, source: 'central' },
      { kind: 'event', id: c.event_id, source: 'local' },
    ]);
    // The duplicate from the relay still moved the cursor.
    expect(s.cursor.get().since).toBe(3);
  });

  it('dispatches a status an order reaches again after a recall, and drops copies of either pass', async () => {
    const s = make();
    const log = record(s);
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const ws = FakeWebSocket.latest();
    const relay = FakeRelaySocket.latest();
    ws.serverOpen();
    relay.accept();
    const at = (seq: number, type: EventEnvelope['type'], status: string, version: number) => {
      const e = orderEvent({ seq, type, status, order_id: 'o-1' });
      return { ...e, data: { ...(e.data as object), version } };
    };
    const done = at(1, 'order_completed', 'completed', 5);
    const recalled = at(2, 'order_recalled', 'preparing', 6);
    const ready = at(3, 'order_updated', 'ready', 7);
    const doneAgain = at(4, 'order_completed', 'completed', 8);
    relay.sendEvent(done);
    // A consumer forwarding the order without event_id or version: a copy of the hand-out.
    ws.serverSend({ event: 'order_completed', data: { order_id: 'o-1', status: 'completed' } });
    relay.sendEvent(recalled);
    // The second "ready" comes from central first, with the order's version: the relay's copy
    // of it is the one dropped.
    ws.serverSend({ event: 'order_updated', data: ready.data });
    relay.sendEvent(ready);
    relay.sendEvent(doneAgain);
    ws.serverSend({ event: 'order_completed', data: doneAgain.data });
    ws.serverSend({ event: 'order_completed', data: { order_id: 'o-1', status: 'completed' } });

    expect(log).toEqual([
      { kind: 'event', id: done.event_id, source: 'local' },
      { kind: 'event', id: recalled.event_id, source: 'local' },
      { kind: 'event', id: 'order_updated:o-1:ready:7', source: 'central' },
      { kind: 'event', id: doneAgain.event_id, source: 'local' },
    ]);
    expect(s.cursor.get().since).toBe(4);
  });

  it('keeps acknowledgements of different kitchens apart even though their content matches', async () => {
    const s = make({ centralUrl: undefined });
    const log = record(s);
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const relay = FakeRelaySocket.latest();
    relay.accept();
    const first = orderEvent({ type: 'order_acknowledged' });
    const second = orderEvent({ type: 'order_acknowledged', order_id: first.order_id });
    relay.sendEvent(first);
    relay.sendEvent(second);
    expect(log.map((l) => l.id)).toEqual([first.event_id, second.event_id]);
  });

  it('forgets the oldest keys beyond dedupSize', async () => {
    const s = make({ centralUrl: undefined, dedupSize: 2 });
    const log = record(s);
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const relay = FakeRelaySocket.latest();
    relay.accept();
    const events = [1, 2, 3].map(() => orderEvent({ type: 'order_acknowledged' }));
    for (const e of events) relay.sendEvent(e);
    relay.sendEvent(events[0]!);
    relay.sendEvent(events[2]!);
    expect(log.map((l) => l.id)).toEqual([...events.map((e) => e.event_id), events[0]!.event_id]);
  });

  it('a listener that throws breaks neither the other listeners nor later events', async () => {
    const reported: Array<() => void> = [];
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((fn) => {
      reported.push(fn);
    });
    const s = make({ centralUrl: undefined });
    const boom = new Error('listener bug');
    s.on('new_order', () => {
      throw boom;
    });
    const got: EventEnvelope[] = [];
    s.on('new_order', (e) => got.push(e));
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const relay = FakeRelaySocket.latest();
    relay.accept();
    relay.sendEvent(orderEvent({ seq: 1 }));
    relay.sendEvent(orderEvent({ seq: 2 }));
    expect(got.map((e) => e.seq)).toEqual([1, 2]);
    expect(s.cursor.get().since).toBe(2);
    expect(s.status.get().localConnected).toBe(true);
    expect(reported).toHaveLength(2);
    expect(() => reported[0]?.()).toThrow(boom);
  });

  it('on() returns an unbind', async () => {
    const s = make({ centralUrl: undefined });
    const got: unknown[] = [];
    const off = s.on('event', (e) => got.push(e.seq));
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const relay = FakeRelaySocket.latest();
    relay.accept();
    relay.sendEvent(orderEvent({ seq: 1 }));
    off();
    relay.sendEvent(orderEvent({ seq: 2 }));
    expect(got).toEqual([1]);
  });
});
