import type { EventEnvelope } from '@kitchen-sync/protocol';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { envelopeFromCentral } from '../../../src/socket/centralTransport.js';
import { FakeWebSocket, resetFakes, socketServices } from './fakes.js';

const services = socketServices({
  centralWsUrl: 'ws://central.test/ws/outlet/1/',
  // Looked up per socket: beforeEach wraps the factory to record when each one opens.
  WebSocket: (url) => FakeWebSocket.factory(url),
  pingIntervalMs: 25_000,
  pongTimeoutMs: 10_000,
  reconnect: { min: 1_000, max: 8_000, factor: 2, jitter: 0.5 },
});
const make = services.make;

/** A started service whose central socket is open, recording every event it dispatches. */
function openCentral() {
  const s = make();
  const got: EventEnvelope[] = [];
  s.on('event', (e) => got.push(e));
  s.start();
  const ws = FakeWebSocket.latest();
  ws.serverOpen();
  return { s, got, ws };
}

/** Times (ms after start) at which a new WebSocket was opened. */
function openedAt(start: number): number[] {
  return FakeWebSocket.instances.map((ws) => (ws as FakeWebSocket & { at: number }).at - start);
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
  resetFakes();
  const original = FakeWebSocket.factory;
  vi.spyOn(FakeWebSocket, 'factory').mockImplementation((url) => {
    const ws = original(url);
    (ws as unknown as { at: number }).at = Date.now();
    return ws;
  });
});

describe('central transport', () => {
  it('reconnects on a jittered exponential schedule and resets it once open', async () => {
    // Closed at 0, 10, 20, 30, 40 s; random 0.5 puts the jitter in the middle, so the
    // delays are exactly 1, 2, 4, 8 and (capped) 8 s.
    const s = make();
    s.start();
    for (let i = 0; i < 5; i++) {
      FakeWebSocket.latest().serverClose();
      await vi.advanceTimersByTimeAsync(10_000);
    }
    expect(openedAt(0)).toEqual([0, 1_000, 12_000, 24_000, 38_000, 48_000]);
    expect(s.status.get().error?.code).toBe('network');

    FakeWebSocket.latest().serverOpen();
    expect(s.status.get()).toMatchObject({ centralConnected: true, error: null });
    FakeWebSocket.latest().serverClose();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(FakeWebSocket.instances).toHaveLength(7);
  });

  // The Django package accepts, then closes with its code: the socket did open, but a refused
  // token retried each second (the backoff reset on open) would hammer central all day.
  it('reports a refusal by its close code and keeps backing off instead of retrying each second', async () => {
    const s = make();
    s.start();
    for (let i = 0; i < 4; i++) {
      FakeWebSocket.latest().serverOpen();
      FakeWebSocket.latest().serverClose(4401);
      await vi.advanceTimersByTimeAsync(10_000);
    }
    // Refused at 0, 10, 20, 30 s: 2 s after the first (a failure, not a success), then 8 s
    // (the cap), never the 1 s a success would reset it to.
    expect(openedAt(0)).toEqual([0, 2_000, 18_000, 28_000, 38_000]);
    expect(s.status.get().error).toMatchObject({ code: 'unauthorized' });
    expect(s.status.get().error?.message).toBe('central refused the socket (4401)');
    // The sentence names central: the relay (if any) may be fine, and the way out differs.
    expect(s.status.get().reason).toMatch(/^Central refused this screen’s token/);

    FakeWebSocket.latest().serverOpen();
    FakeWebSocket.latest().serverClose(4403);
    expect(s.status.get().error?.code).toBe('forbidden');
    expect(s.status.get().reason).toBe('Central does not allow this device here.');
    // A socket that opened and then closed without a refusal is a success: back to 1 s.
    await vi.advanceTimersByTimeAsync(8_000);
    FakeWebSocket.latest().serverOpen();
    FakeWebSocket.latest().serverClose();
    const before = FakeWebSocket.instances.length;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(FakeWebSocket.instances).toHaveLength(before + 1);
  });

  it('uses the injected random for the jitter', async () => {
    make({ random: () => 0 }).start();
    FakeWebSocket.latest().serverClose();
    await vi.advanceTimersByTimeAsync(499);
    expect(FakeWebSocket.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('pings every interval, stays up while pongs come back, reconnects after a missed pong', async () => {
    const s = make();
    s.start();
    const ws = FakeWebSocket.latest();
    ws.serverOpen();
    await vi.advanceTimersByTimeAsync(25_000);
    expect(ws.sent).toEqual([{ type: 'ping', timestamp: 25_000 }]);
    ws.serverSend({ type: 'pong', timestamp: 25_000 });
    await vi.advanceTimersByTimeAsync(25_000);
    expect(ws.sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(s.status.get().centralConnected).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.status.get()).toMatchObject({ centralConnected: false, mode: 'disconnected' });
    expect(s.status.get().error?.code).toBe('timeout');
    expect(ws.closedByClient).toBe(true);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('answers a server ping with a pong', () => {
    make().start();
    const ws = FakeWebSocket.latest();
    ws.serverOpen();
    ws.serverSend({ type: 'ping', timestamp: 7 });
    expect(ws.sent).toEqual([{ type: 'pong', timestamp: 7 }]);
  });

  it('drops a socket that does not open in time and tries again', async () => {
    const s = make();
    s.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeWebSocket.instances[0]?.closedByClient).toBe(true);
    expect(s.status.get().error?.code).toBe('timeout');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('turns { event, data } frames into events and ignores what it cannot read', () => {
    const { s, got, ws } = openCentral();
    ws.serverSend('not json');
    ws.serverSend({ event: '', data: {} });
    ws.serverSend([1, 2]);
    const order = {
      order_id: '0190f1e0-0000-7000-8000-000000000001',
      status: 'ready',
      tenant_id: 3,
      event_id: '0190f1e0-0000-7000-8000-0000000000aa',
      updated_at: '2026-01-03T10:05:00Z',
    };
    ws.serverSend({ event: 'order_updated', data: order });
    expect(got).toEqual([
      {
        seq: null,
        event_id: '0190f1e0-0000-7000-8000-0000000000aa',
        type: 'order_updated',
        outlet_id: 1,
        tenant_id: 3,
        order_id: '0190f1e0-0000-7000-8000-000000000001',
        data: order,
        ts: '2026-01-03T10:05:00Z',
      },
    ]);
    expect(s.status.get().centralConnected).toBe(true);
  });

  it('never lets a central seq move the relay cursor', () => {
    const s = make();
    s.start();
    const ws = FakeWebSocket.latest();
    ws.serverOpen();
    const envelope = {
      seq: 500,
      event_id: '0190f1e0-0000-7000-8000-0000000000bb',
      type: 'new_order',
      outlet_id: 1,
      tenant_id: 3,
      data: { status: 'pending' },
      ts: '2026-01-03T10:00:00Z',
    };
    ws.serverSend({ event: 'new_order', data: envelope });
    expect(s.cursor.get()).toEqual({ since: 0, epoch: null });
  });
});

describe('envelopeFromCentral', () => {
  it('keeps a full envelope and derives the key when no event_id is sent', () => {
    const now = () => Date.parse('2026-01-03T10:00:00Z');
    const order = { order_id: '0190f1e0-0000-7000-8000-000000000002', status: 'pending' };
    expect(envelopeFromCentral({ event: 'new_order', data: order }, 4, now)).toMatchObject({
      event_id: 'new_order:0190f1e0-0000-7000-8000-000000000002:pending',
      outlet_id: 4,
      tenant_id: null,
      ts: '2026-01-03T10:00:00.000Z',
    });
    expect(envelopeFromCentral({ data: order }, 4, now)).toBeNull();
    expect(
      envelopeFromCentral({ event: 'new_order', data: { status: 'pending' } }, 4, now),
    ).toMatchObject({
      event_id: '',
    });
  });

  it('never de-duplicates central events that carry neither event_id nor order_id', () => {
    const { got, ws } = openCentral();
    ws.serverSend({ event: 'new_order', data: { id: 1, status: 'pending' } });
    ws.serverSend({ event: 'new_order', data: { id: 2, status: 'pending' } });
    expect(got.map((e) => (e.data as { id: number }).id)).toEqual([1, 2]);
  });
});
