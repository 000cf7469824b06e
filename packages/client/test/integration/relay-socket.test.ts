import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventEnvelope, Order, SnapshotMessage } from '@kitchen-sync/protocol';
import { createRelay, type Relay, signToken } from '@kitchen-sync/relay';
import { io } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSocketService, type SocketServiceOptions } from '../../src/socket/socketService.js';
import type { Cursor, SocketService, SocketStatus } from '../../src/socket/types.js';
import { waitFor } from '../unit/socket/waitFor.js';

const SECRET = 'client-integration-secret-32-bytes!';

let dir: string;
let relay: Relay | undefined;
let url: string;
let port: number;
const services: SocketService[] = [];

async function startRelay(listenPort = 0): Promise<void> {
  relay = createRelay({
    host: '127.0.0.1',
    port: listenPort,
    dataDir: dir,
    secret: SECRET,
    logLevel: 'silent',
  });
  ({ url, port } = await relay.listen());
}

function token(role: 'pos' | 'kitchen', tenants?: number[]): Promise<string> {
  return signToken(
    SECRET,
    {
      sub: `${role}-${randomUUID().slice(0, 8)}`,
      role,
      outlet: 1,
      ...(tenants ? { tenants } : {}),
    },
    '1h',
  );
}

function order(tenant = 3): Order {
  return {
    order_id: randomUUID(),
    order_number: `T-${randomUUID().slice(0, 6)}`,
    outlet_id: 1,
    tenant_id: tenant,
    status: 'pending',
    items: [{ product_id: 10, name: 'Nasi goreng', quantity: 2, price: '25000' }],
    total_amount: '50000',
    created_at: new Date().toISOString(),
  } as Order;
}

function service(options: Partial<SocketServiceOptions>): SocketService {
  const s = createSocketService({
    outletId: 1,
    relayUrl: url,
    reconnect: { min: 50, max: 300 },
    pollingGraceMs: 60_000,
    ...options,
  });
  services.push(s);
  return s;
}

function recorder(s: SocketService) {
  const events: EventEnvelope[] = [];
  const log: string[] = [];
  s.on('event', (e) => {
    events.push(e);
    log.push(`event ${e.seq}`);
  });
  s.on('sync:snapshot', (snap) => log.push(`snapshot ${snap.seq} ${snap.orders.length}`));
  s.on('sync:caught_up', (c) => log.push(`caught_up ${c.seq}`));
  return { events, log };
}

async function connectedPos(): Promise<SocketService> {
  const pos = service({ token: await token('pos') });
  pos.start();
  await waitFor(() => pos.status.get().localConnected, 5_000, 'pos connect');
  return pos;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ks-client-relay-'));
  await startRelay();
});

afterEach(async () => {
  for (const s of services.splice(0)) s.stop();
  await relay?.close();
  relay = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('local transport against the real relay', () => {
  it('connects, gets a snapshot and caught_up, then live events; requests are acked', async () => {
    const pos = await connectedPos();
    const first = order();
    await expect(pos.request('order:publish', first)).resolves.toMatchObject({ ok: true, seq: 1 });

    const kitchen = service({ token: await token('kitchen', [3]) });
    const { events, log } = recorder(kitchen);
    kitchen.start();
    await waitFor(() => log.includes('caught_up 1'), 5_000, 'caught_up');
    expect(log).toEqual(['snapshot 1 1', 'caught_up 1']);
    // With the id of the event at 1, which the snapshot named (the kitchen was not sent it).
    expect(kitchen.cursor.get()).toEqual({
      since: 1,
      epoch: relay?.epoch,
      since_event: await relay?.reader.eventIdAt?.('1', 1),
    });

    await pos.request('order:publish', order(4));
    const second = order();
    await pos.request('order:publish', second);
    await waitFor(() => events.length === 1, 5_000, 'live event');
    expect(events.map((e) => [e.type, e.order_id])).toEqual([['new_order', second.order_id]]);
    await expect(
      kitchen.request('order:ack', { order_id: second.order_id }),
    ).resolves.toMatchObject({ ok: true });
    await expect(
      kitchen.request('order:ack', { order_id: first.order_id, nope: 1 }),
    ).resolves.toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
  });

  it('resumes from a CursorSource: only what was missed, no snapshot, across a relay restart', async () => {
    const pos = await connectedPos();
    await pos.request('order:publish', order());
    const kitchenToken = await token('kitchen', [3]);
    let persisted: Cursor = { since: 0, epoch: null };
    const first = service({ token: kitchenToken, cursor: { get: () => persisted } });
    const a = recorder(first);
    first.start();
    await waitFor(() => a.log.some((l) => l.startsWith('caught_up')), 5_000, 'first caught_up');
    persisted = first.cursor.get();
    first.stop();

    const missed = [order(), order()];
    for (const o of missed) await pos.request('order:publish', o);
    pos.stop();
    // Same data dir and port: the log and its epoch survive.
    await relay?.close();
    await startRelay(port);

    const second = service({ token: kitchenToken, cursor: { get: () => persisted } });
    const b = recorder(second);
    second.start();
    await waitFor(() => b.log.some((l) => l.startsWith('caught_up')), 5_000, 'resume caught_up');
    expect(b.log).toEqual(['event 2', 'event 3', 'caught_up 3']);
    expect(b.events.map((e) => e.order_id)).toEqual(missed.map((o) => o.order_id));
  });

  it('reconnects after the relay goes away and comes back, with no gap', async () => {
    const kitchen = service({ token: await token('kitchen', [3]) });
    const { events } = recorder(kitchen);
    kitchen.start();
    await waitFor(() => kitchen.status.get().localConnected, 5_000, 'kitchen connect');
    const pos = await connectedPos();
    await pos.request('order:publish', order());
    await waitFor(() => events.length === 1, 5_000, 'first event');

    await relay?.close();
    await waitFor(() => !kitchen.status.get().localConnected, 5_000, 'kitchen sees the relay gone');
    await startRelay(port);
    await waitFor(
      () => kitchen.status.get().localConnected && pos.status.get().localConnected,
      10_000,
      'both back',
    );
    const later = order();
    await pos.request('order:publish', later);
    await waitFor(() => events.length === 2, 5_000, 'event after restart');
    expect(events.map((e) => e.seq)).toEqual([1, 2]);
    expect(events[1]?.order_id).toBe(later.order_id);
  });

  it('reports a refused token as unauthorized and connects once the token is refreshed', async () => {
    let current = 'not-a-token';
    const good = await token('kitchen', [3]);
    const errors: string[] = [];
    const kitchen = service({
      token: () => current,
      onUnauthorized: () => {
        current = good;
      },
    });
    kitchen.status.subscribe((s) => {
      if (s.error) errors.push(s.error.code);
    });
    kitchen.start();
    await waitFor(() => kitchen.status.get().localConnected, 5_000, 'connect with refreshed token');
    expect(errors[0]).toBe('unauthorized');
  });

  it.each([
    ['expired', 'token_expired', /expired: sign in again/],
    ['signed with another secret', 'token_invalid', /not signed with its secret/],
  ])(
    'tells a token refused as %s by its own cause and sentence, on the socket and on polls',
    async (how, refusal, sentence) => {
      const refused =
        how === 'expired'
          ? await signToken(SECRET, { sub: 'kds-old', role: 'kitchen', outlet: 1 }, '1h')
          : await signToken(
              `${SECRET}-rotated`,
              { sub: 'kds-1', role: 'kitchen', outlet: 1 },
              '1h',
            );
      if (how === 'expired') {
        // The relay's clock two hours on: the token ran out an hour ago.
        await relay?.close();
        relay = createRelay({
          host: '127.0.0.1',
          port: 0,
          dataDir: dir,
          secret: SECRET,
          logLevel: 'silent',
          now: () => Date.now() + 2 * 3_600_000,
        });
        ({ url, port } = await relay.listen());
      }
      const kitchen = service({ token: refused, pollingGraceMs: 0 });
      const seen: SocketStatus[] = [];
      kitchen.status.subscribe((status) => seen.push(status));
      kitchen.start();
      await waitFor(() => kitchen.status.get().error !== null, 5_000, 'refused');
      expect(kitchen.status.get().error).toMatchObject({
        code: 'unauthorized',
        details: { refusal },
      });
      expect(kitchen.status.get().reason).toMatch(sentence);
      // The relay's 401 to a poll says the same.
      const polled = () => seen.find((status) => status.error?.message === 'relay answered 401');
      await waitFor(() => polled() !== undefined, 10_000, 'a refused poll');
      expect(polled()?.error).toMatchObject({ code: 'unauthorized', details: { refusal } });
      expect(polled()?.reason).toMatch(sentence);
      kitchen.stop();
    },
  );

  it("names the token's outlet when the relay serves other outlets, on the socket and on polls", async () => {
    await relay?.close();
    relay = createRelay({
      host: '127.0.0.1',
      port: 0,
      dataDir: dir,
      secret: SECRET,
      logLevel: 'silent',
      outlets: [3],
    });
    ({ url, port } = await relay.listen());
    const kitchen = service({ token: await token('kitchen'), pollingGraceMs: 0 });
    const seen: SocketStatus[] = [];
    kitchen.status.subscribe((status) => seen.push(status));
    kitchen.start();
    const sentence = /serves other outlets: this device’s token is for outlet 1\./;
    await waitFor(() => kitchen.status.get().error !== null, 5_000, 'refused');
    expect(kitchen.status.get().error).toMatchObject({
      code: 'unauthorized',
      details: { refusal: 'outlet_not_served', tokenOutlet: '1' },
    });
    expect(kitchen.status.get().reason).toMatch(sentence);
    const polled = () => seen.find((status) => status.error?.message === 'relay answered 401');
    await waitFor(() => polled() !== undefined, 10_000, 'a refused poll');
    expect(polled()?.error?.details).toMatchObject({
      refusal: 'outlet_not_served',
      tokenOutlet: '1',
    });
    expect(polled()?.reason).toMatch(sentence);
    kitchen.stop();
  });

  it('polls /api/events: history, then long-polled live events, resuming with the cursor', async () => {
    const pos = await connectedPos();
    const early = order();
    await pos.request('order:publish', early);
    const kitchen = service({ token: await token('kitchen', [3]) });
    const { events, log } = recorder(kitchen);
    const snapshots: SnapshotMessage[] = [];
    kitchen.on('sync:snapshot', (s) => snapshots.push(s));
    kitchen.startPolling();
    await waitFor(() => events.length === 1, 5_000, 'history by poll');
    expect(kitchen.status.get()).toMatchObject({
      mode: 'polling',
      isPolling: true,
      localConnected: false,
    });

    const live = order();
    await pos.request('order:publish', live);
    await waitFor(() => events.length === 2, 5_000, 'live event by long poll');
    expect(events.map((e) => e.order_id)).toEqual([early.order_id, live.order_id]);
    expect(log.filter((l) => l.startsWith('event'))).toEqual(['event 1', 'event 2']);
    expect(kitchen.cursor.get()).toEqual({
      since: 2,
      epoch: relay?.epoch,
      since_event: events[1]!.event_id,
    });
    expect(snapshots).toEqual([]);
    kitchen.stopPolling();
    expect(kitchen.status.get().mode).toBe('disconnected');
  });

  it('start(): polls while the socket cannot get through', async () => {
    const pos = await connectedPos();
    const kitchenToken = await token('kitchen', [3]);
    // A socket that can never connect stands in for a proxy that lets plain HTTP through only.
    const kitchen = service({
      token: kitchenToken,
      io: (_url, options) => io('http://127.0.0.1:1', options),
      pollingGraceMs: 100,
    });
    const { events } = recorder(kitchen);
    kitchen.start();
    await waitFor(() => kitchen.status.get().mode === 'polling', 5_000, 'polling mode');
    const o = order();
    await pos.request('order:publish', o);
    await waitFor(() => events.length === 1, 5_000, 'event by poll');
    expect(events[0]).toMatchObject({ order_id: o.order_id });
    kitchen.stop();
    expect(kitchen.status.get()).toMatchObject({ mode: 'disconnected', isPolling: false });
  });
});
