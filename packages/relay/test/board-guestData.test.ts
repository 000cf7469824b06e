import { BOARD_ORDER_FIELDS } from '@kitchen-sync/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryEventStore } from '../src/index.js';
import { createLiveFeed } from '../src/lib/liveFeed.js';
import {
  client,
  connected,
  http,
  newOrderEvent,
  order,
  type Received,
  startRelay,
  startTransport,
  type TestClient,
  type TestRelay,
  type TestTransport,
  tokenFor,
} from './helpers.js';
import { TEST_STORE } from './sharedPostgres.js';

// A pickup board hangs in the dining room: whoever opens its devtools (or takes its token)
// must read no guest's name, phone, notes or delivery address, by any path the relay serves.
const GUEST_DATA = ['Budi Santoso', '+62-811-5550', 'ring the bell', 'Jl. Melati', 'no peanuts'];

function guestOrder(number: string) {
  return order({
    order_number: number,
    display_number: `A${number}`,
    tenant_name: 'Warung Bu Sri',
    source: 'kiosk',
    customer_name: 'Budi Santoso',
    customer_phone: '+62-811-5550',
    notes: 'ring the bell',
    delivery: { address: 'Jl. Melati 3' },
    items: [{ product_id: 10, name: 'Sate', quantity: 2, notes: 'no peanuts' }],
  });
}

/** The guest data found in what was received; [] for none. */
const leaked = (received: unknown) => {
  const text = JSON.stringify(received);
  return GUEST_DATA.filter((secret) => text.includes(secret));
};

const ordersIn = (received: Received[]) =>
  received
    .filter((r) => r.name === 'event' && (r.data as { seq: unknown }).seq !== null)
    .map((r) => (r.data as { data: Record<string, unknown> }).data);

const snapshotOf = (received: Received[]) =>
  received.find((r) => r.name === 'sync:snapshot')?.data as {
    orders: Array<Record<string, unknown>>;
  };

let t: TestRelay | undefined;
let transport: TestTransport | undefined;
afterEach(async () => {
  await t?.close();
  await transport?.close();
  t = undefined;
  transport = undefined;
});

// SQLite and memory here; the relay-postgres project runs the file on PostgreSQL.
const stores = TEST_STORE === 'postgres' ? [undefined] : (['sqlite', 'memory'] as const);

describe.each(stores)('a board connection (store %s)', (store) => {
  async function start() {
    t = await startRelay(store ? { store } : {});
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    return { relay: t, pos };
  }
  const board = async (url: string, auth: Record<string, unknown> = {}) =>
    connected(url, { token: await tokenFor('board', { sub: 'pickup-board' }), ...auth });
  const monitor = async (url: string, auth: Record<string, unknown> = {}) =>
    connected(url, { token: await tokenFor('monitor'), ...auth });
  async function publish(pos: TestClient, number: string) {
    const o = guestOrder(number);
    expect(await pos.request('order:publish', o)).toMatchObject({ ok: true });
    return o;
  }

  it('gets a snapshot of the open orders without guest data; a monitor still gets it all', async () => {
    const { relay, pos } = await start();
    await publish(pos, '41');
    const b = await board(relay.url);
    const m = await monitor(relay.url);
    const boardOrders = snapshotOf(b.received).orders;
    expect(boardOrders).toHaveLength(1);
    expect(boardOrders[0]).toMatchObject({ order_number: '41', display_number: 'A41' });
    const allowed: readonly string[] = BOARD_ORDER_FIELDS;
    expect(Object.keys(boardOrders[0]!).filter((k) => !allowed.includes(k))).toEqual([]);
    expect(leaked(b.received)).toEqual([]);
    expect(leaked(snapshotOf(m.received))).toEqual(GUEST_DATA);
  });

  it('gets a backlog without guest data', async () => {
    const { relay, pos } = await start();
    const o = await publish(pos, '41');
    await pos.request('order:update', { order_id: o.order_id, status: 'preparing' });
    await publish(pos, '42');
    // A cursor of this log: the events after it, no snapshot.
    const b = await board(relay.url, { since: 1, epoch: relay.relay.epoch });
    expect(snapshotOf(b.received)).toBeUndefined();
    expect(ordersIn(b.received).map((o) => [o.display_number, o.status])).toEqual([
      ['A41', 'preparing'],
      ['A42', 'pending'],
    ]);
    expect(leaked(b.received)).toEqual([]);
  });

  it('gets live events without guest data, one at a time and in a commit batch', async () => {
    const { relay, pos } = await start();
    const b = await board(relay.url);
    const m = await monitor(relay.url);
    await publish(pos, '41');
    // Sent together, they are committed and delivered as one batch (corked sockets).
    await Promise.all(['42', '43', '44'].map((n) => publish(pos, n)));
    await b.waitFor((r) => ordersIn(r).length === 4);
    await m.waitFor((r) => ordersIn(r).length === 4);
    expect(ordersIn(b.received).map((o) => o.display_number)).toEqual(['A41', 'A42', 'A43', 'A44']);
    expect(leaked(b.received)).toEqual([]);
    expect(leaked(m.received)).toEqual(GUEST_DATA);
  });

  it('gets no presence, which the staff screens still get', async () => {
    const { relay } = await start();
    const b = await board(relay.url);
    const m = await monitor(relay.url);
    await connected(relay.url, { token: await tokenFor('kitchen', { tenants: [3] }) });
    await m.waitFor(() => m.presence().length === 1);
    // A round trip on the board's own socket: anything sent before it has arrived.
    await b.request('ping');
    expect(b.presence()).toEqual([]);
  });

  it('polls events, snapshots and /api/orders without guest data', async () => {
    const { relay, pos } = await start();
    await publish(pos, '41');
    const token = await tokenFor('board');
    const monitorToken = await tokenFor('monitor');
    const events = await http(relay.url, '/api/events?since=0', { token });
    expect(events.body.events).toHaveLength(1);
    expect(events.body.events[0].data).toMatchObject({ display_number: 'A41' });
    const snapshot = await http(relay.url, '/api/events?since=0&epoch=another-log', { token });
    expect(snapshot.body.snapshot.orders).toHaveLength(1);
    const legacy = await http(relay.url, '/api/orders', { token });
    expect(legacy.body).toMatchObject([{ order_number: '41', id: 1 }]);
    // A long poll answered by an event committed while it waited.
    const waiting = http(relay.url, '/api/events?since=1&wait=5000', { token });
    await publish(pos, '42');
    const woken = await waiting;
    expect(woken.body.events.map((e: { seq: number }) => e.seq)).toEqual([2]);
    expect(leaked([events.body, snapshot.body, legacy.body, woken.body])).toEqual([]);
    const full = await http(relay.url, '/api/orders', { token: monitorToken });
    expect(leaked(full.body)).toEqual(GUEST_DATA);
  });

  it('may send no command: each is refused `forbidden` and nothing is logged', async () => {
    const { relay, pos } = await start();
    const orderId = (await publish(pos, '41')).order_id;
    const b = await board(relay.url);
    const commands: Array<[string, unknown]> = [
      ['order:publish', guestOrder('99')],
      ['order:update', { order_id: orderId, status: 'preparing' }],
      ['order:ack', { order_id: orderId }],
      ['order:item_update', { order_id: orderId, line_id: `${orderId}:0`, status: 'ready' }],
      ['order:hold', { order_id: orderId }],
      ['order:fire', { order_id: orderId }],
      ['order:recall', { order_id: orderId }],
      ['order:rush', { order_id: orderId }],
    ];
    for (const [command, payload] of commands) {
      expect(await b.request(command, payload), command).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
    }
    const token = await tokenFor('board');
    const posted = await http(relay.url, '/api/events', {
      token,
      body: { type: 'order:update', payload: { order_id: orderId, status: 'ready' } },
    });
    expect([posted.status, posted.body.error.code]).toEqual([403, 'forbidden']);
    const emitted = await http(relay.url, '/emit', { token, body: guestOrder('98') });
    expect([emitted.status, emitted.body.error.code]).toEqual([403, 'forbidden']);
    expect(await relay.relay.reader.head('1')).toBe(1);
  });

  it('is counted as a board in /health', async () => {
    const { relay } = await start();
    await board(relay.url);
    const health = await http(relay.url, '/health');
    expect(health.body.clients).toEqual({ pos: 1, kitchen: 0, monitor: 0, board: 1 });
  });
});

describe('a board that is still catching up', () => {
  it('gets the live events held back meanwhile without guest data', async () => {
    // Events only (no order rows): the snapshot is empty at head 1, the held event seq 2.
    const store = createMemoryEventStore();
    store.append(newOrderEvent(guestOrder('41')));
    const live = createLiveFeed(() => undefined);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let replayStarted!: () => void;
    const started = new Promise<void>((resolve) => {
      replayStarted = resolve;
    });
    transport = await startTransport({
      store,
      live,
      verify: async () => ({
        sub: 'pickup',
        role: 'board',
        outletId: 1,
        outlet: '1',
        tenants: null,
      }),
      // After its snapshot (head 1) the replay waits here, live events held in its buffer,
      // until the test lets it go live.
      liveThrough: async (_outlet, seq) => {
        if (seq === 0) return;
        replayStarted();
        await held;
      },
    });
    const board = client(transport.url, { token: 'board' });
    await started;
    live.publish([store.append(newOrderEvent(guestOrder('42')))]);
    release();
    await board.waitFor(
      (r) => ordersIn(r).length === 1 && r.some((x) => x.name === 'sync:snapshot'),
    );
    expect(ordersIn(board.received)).toMatchObject([{ display_number: 'A42' }]);
    expect(leaked(board.received)).toEqual([]);
  });
});
