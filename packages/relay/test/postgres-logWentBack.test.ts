import type { SnapshotMessage } from '@kitchen-sync/protocol';
import pg from 'pg';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connected,
  order,
  type Received,
  startRelay,
  type TestClient,
  type TestRelay,
  tokenFor,
} from './helpers.js';
import { freshDatabaseUrl } from './sharedPostgres.js';

// The cluster's log goes back when PostgreSQL does: a failover to a replica that had not
// received the last commits, a restored dump. The rule of one relay holds for all its nodes:
// a client past the head of its epoch on any node gives the shared log one new epoch, and
// every node's clients of the old one re-sync.

const relays: TestRelay[] = [];
afterEach(async () => {
  for (const r of relays.splice(0)) await r.close();
});

interface LogLine {
  level: number;
  code?: string;
  msg: string;
}

async function node(databaseUrl: string, lines: LogLine[]) {
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  const relay = await startRelay({ store: 'postgres', databaseUrl, logger });
  relays.push(relay);
  return relay;
}

/** What a failover to a replica behind by the last `lost` commits leaves: the log ends earlier. */
async function goBack(url: string, to: number) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('DELETE FROM events WHERE seq > $1', [to]);
    await client.query('DELETE FROM orders WHERE created_seq > $1', [to]);
    await client.query('UPDATE outlet_heads SET head = $1', [to]);
  } finally {
    await client.end();
  }
}

const snapshotOf = (c: TestClient) =>
  c.received.find((r: Received) => r.name === 'sync:snapshot')?.data as SnapshotMessage | undefined;

describe('a PostgreSQL log that went back', () => {
  it('gets one new epoch from the node a client proves it on; the other node drops its clients of the old one', async () => {
    const url = await freshDatabaseUrl();
    const lines: LogLine[] = [];
    const [a, b] = [await node(url, lines), await node(url, lines)];
    const epoch = a.relay.epoch;
    const pos = await connected(a.url, { token: await tokenFor('pos') });
    for (let i = 1; i <= 5; i++)
      await pos.request('order:publish', order({ order_number: `M-${i}` }));

    await goBack(url, 3);
    const fresh = order({ order_number: 'F-1' });
    const ack = await pos.request<{ seq: number }>('order:publish', fresh);
    expect(ack.seq).toBe(4);

    // On node B, a kitchen that had seen seq 3 takes 4 as the only new event (no proof).
    const onB = await connected(b.url, { token: await tokenFor('kitchen'), since: 3, epoch });
    const dropped = new Promise<void>((resolve) => onB.socket.once('disconnect', () => resolve()));

    // On node A, the kitchen that had seen 5.
    const onA = await connected(a.url, { token: await tokenFor('kitchen'), since: 5, epoch });
    expect(a.relay.epoch).not.toBe(epoch);
    expect(snapshotOf(onA)?.orders.map((o) => o.order_number)).toContain('F-1');
    expect(lines.filter((l) => l.code === 'log_went_back' && l.level === 40)).toHaveLength(1);

    // Node B learns it from the shared log and drops its client of the old epoch.
    await dropped;
    expect(b.relay.epoch).toBe(a.relay.epoch);
    const back = await connected(b.url, { token: await tokenFor('kitchen'), since: 4, epoch });
    expect(snapshotOf(back)?.epoch).toBe(a.relay.epoch);
  });

  it('is proven by a since_event the log holds no longer at its seq, once new orders took the head past it', async () => {
    const url = await freshDatabaseUrl();
    const lines: LogLine[] = [];
    const [a, b] = [await node(url, lines), await node(url, lines)];
    const epoch = a.relay.epoch;
    const pos = await connected(a.url, { token: await tokenFor('pos') });
    for (let i = 1; i <= 5; i++)
      await pos.request('order:publish', order({ order_number: `M-${i}` }));
    const at5 = (await a.relay.reader.eventIdAt!('1', 5))!;

    await goBack(url, 3);
    for (let i = 1; i <= 4; i++)
      await pos.request('order:publish', order({ order_number: `F-${i}` }));
    expect(await a.relay.reader.head('1')).toBe(7);

    // Without since_event: today's backlog, F-1 and F-2 (seqs 4, 5) skipped as seen.
    const old = await connected(b.url, { token: await tokenFor('kitchen'), since: 5, epoch });
    expect(old.events().map((e) => e.seq)).toEqual([6, 7]);
    const dropped = new Promise<void>((resolve) => old.socket.once('disconnect', () => resolve()));

    const onA = await connected(a.url, {
      token: await tokenFor('kitchen'),
      since: 5,
      epoch,
      since_event: at5,
    });
    expect(a.relay.epoch).not.toBe(epoch);
    expect(snapshotOf(onA)?.orders.map((o) => o.order_number)).toEqual(
      expect.arrayContaining(['F-1', 'F-2', 'F-3', 'F-4']),
    );
    expect(lines.filter((l) => l.code === 'log_went_back' && l.level === 40)).toHaveLength(1);
    await dropped;
    expect(b.relay.epoch).toBe(a.relay.epoch);
  });

  it('makes one new epoch when two nodes find it at once', async () => {
    const url = await freshDatabaseUrl();
    const lines: LogLine[] = [];
    const [a, b] = [await node(url, lines), await node(url, lines)];
    const epoch = a.relay.epoch;
    const restarts = await Promise.all([
      a.relay.reader.restartEpoch!(epoch),
      b.relay.reader.restartEpoch!(epoch),
    ]);
    expect(restarts.filter((r) => r.made)).toHaveLength(1);
    expect(restarts[0]!.epoch).toBe(restarts[1]!.epoch);
    expect(restarts[0]!.epoch).not.toBe(epoch);
    expect([a.relay.epoch, b.relay.epoch]).toEqual([restarts[0]!.epoch, restarts[0]!.epoch]);
  });
});
