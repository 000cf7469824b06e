import { join } from 'node:path';
import type { CaughtUpMessage, EventsResponse, SnapshotMessage } from '@kitchen-sync/protocol';
import { describe, expect, it } from 'vitest';
import { loadSqliteDriver } from '../src/store/sqlite/loadSqliteDriver.js';
import {
  connected,
  http,
  order,
  type Received,
  type TestClient,
  tempDir,
  tokenFor,
} from './helpers.js';
import { type LogLine, loggedRelays } from './loggedRelays.js';

// One byte flipped in a stored row's JSON (SQLite's own checks pass: its pages are fine).
// Every replay through that row used to fail: kitchens behind it reconnected in a loop and
// `/api/events` answered 500, while /health said ok.

const { relayOn, stop } = loggedRelays();

/** A relay.db with `count` orders (O-1..O-count, seqs 1..count), the relay stopped. */
async function loggedOrders(count: number) {
  const dir = tempDir('ks-unreadable-');
  const t = await relayOn(dir);
  const pos = await connected(t.url, { token: await tokenFor('pos') });
  const numbers: string[] = [];
  for (let i = 1; i <= count; i++) {
    const o = order({ order_number: `O-${i}` });
    await pos.request('order:publish', o);
    numbers.push(o.order_number);
  }
  const epoch = t.relay.epoch;
  await stop(t);
  return { dir, epoch, numbers };
}

/** Flips what a damaged sector would: the row stays, its JSON no longer parses. */
function damage(dir: string, sql: string) {
  const db = loadSqliteDriver().open(join(dir, 'relay.db'));
  db.prepare(sql).run();
  db.close();
}
const EVENT_10 = `UPDATE events SET body = replace(body, '"order_number":', '"order_number"^') WHERE seq = 10`;

const find = <T>(c: TestClient, name: string) =>
  c.received.find((r: Received) => r.name === name)?.data as T | undefined;

describe('an event row that cannot be read', () => {
  it('stalls no kitchen: one behind it gets every open order from a snapshot, and new orders flow', async () => {
    const { dir, epoch, numbers } = await loggedOrders(20);
    damage(dir, EVENT_10);
    const lines: LogLine[] = [];
    const t = await relayOn(dir, lines);

    const kitchen = await connected(t.url, { token: await tokenFor('kitchen'), since: 5, epoch });
    const snapshot = find<SnapshotMessage>(kitchen, 'sync:snapshot');
    // O-10 too: its order row is intact.
    expect(snapshot?.orders.map((o) => o.order_number)).toEqual(numbers);
    expect(find<CaughtUpMessage>(kitchen, 'sync:caught_up')?.seq).toBe(20);

    const pos = await connected(t.url, { token: await tokenFor('pos') });
    await pos.request('order:publish', order({ order_number: 'O-21' }));
    await kitchen.waitFor(() => kitchen.events().some((e) => e.seq === 21));

    // A second kitchen the same way; the operator is told once per row, with a code.
    await connected(t.url, { token: await tokenFor('kitchen'), since: 1, epoch });
    const told = lines.filter((l) => l.code === 'store_corrupt');
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ level: 50, table: 'events', outlet: '1', key: 10 });
    expect(told[0]!.msg).toMatch(/the event at seq 10 of outlet 1 cannot be read/);

    const health = await http(t.url, '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: 'ok',
      unreadable_rows: {
        code: 'store_corrupt',
        count: 1,
        first: { table: 'events', outlet: '1', key: 10 },
      },
    });
  });

  it('answers a poller behind it with a snapshot, and one past it with the events', async () => {
    const { dir, epoch, numbers } = await loggedOrders(12);
    damage(dir, EVENT_10);
    const t = await relayOn(dir);
    const token = await tokenFor('kitchen');

    const behind = await http(t.url, `/api/events?outlet_id=1&since=5&epoch=${epoch}`, { token });
    expect(behind.status).toBe(200);
    const body = behind.body as EventsResponse;
    expect(body.snapshot?.orders.map((o) => o.order_number)).toEqual(numbers);
    expect(body.last_seq).toBe(12);

    const past = await http(t.url, `/api/events?outlet_id=1&since=10&epoch=${epoch}`, { token });
    expect((past.body as EventsResponse).events.map((e) => e.seq)).toEqual([11, 12]);
  });
});

describe('an order row that cannot be read', () => {
  it('is left out of snapshots (and told): the other open orders still reach kitchens', async () => {
    const { dir, numbers } = await loggedOrders(6);
    damage(
      dir,
      `UPDATE orders SET body = replace(body, '"order_number":', '"order_number"^') WHERE body LIKE '%"O-3"%'`,
    );
    const lines: LogLine[] = [];
    const t = await relayOn(dir, lines);
    const kitchen = await connected(t.url, { token: await tokenFor('kitchen') });
    expect(
      find<SnapshotMessage>(kitchen, 'sync:snapshot')?.orders.map((o) => o.order_number),
    ).toEqual(numbers.filter((n) => n !== 'O-3'));
    expect(lines.filter((l) => l.code === 'store_corrupt')).toEqual([
      expect.objectContaining({ table: 'orders', outlet: '1' }),
    ]);
    expect((await http(t.url, '/health')).body.unreadable_rows).toMatchObject({
      count: 1,
      first: { table: 'orders' },
    });
  });
});
