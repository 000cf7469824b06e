import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BridgeHealth } from '@kitchen-sync/protocol';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createRelay, type Relay } from '../src/index.js';
import { closeClients, connected, order, SECRET, type TestClient, tokenFor } from './helpers.js';
import { freshDatabaseUrl } from './sharedPostgres.js';

interface CentralEvent {
  seq: number;
  event_id: string;
  type: string;
  order_id: string;
  data: Record<string, unknown>;
}

/**
 * Central as the Django package answers the bridge (outlet_log.apply_relay_batch): a cursor
 * per epoch, `seq_gap` for a batch starting after the cursor's next seq, events logged once by
 * event_id. Each node is given its own path prefix (`/<node>/`), so central can tell who
 * uploads and who polls.
 */
async function fakeCentral() {
  const logged = new Map<string, number>();
  const cursors = new Map<string, number>();
  const uploadsBy = new Map<string, number>();
  const pollsBy = new Map<string, number>();
  /** The first seq each node uploaded. */
  const firstSeqBy = new Map<string, number>();
  /** Every non-empty batch: who sent it, its first seq. */
  const batches: Array<{ node: string; first: number }> = [];
  const webOrders: CentralEvent[] = [];
  let inFlight = 0;
  let mostAtOnce = 0;
  const state = { refusing: false };
  const count = (map: Map<string, number>, node: string) => map.set(node, (map.get(node) ?? 0) + 1);
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', async () => {
      const url = new URL(request.url ?? '/', 'http://central');
      const node = url.pathname.split('/')[1] ?? '';
      response.setHeader('content-type', 'application/json');
      if (url.pathname.endsWith('/upload/')) {
        count(uploadsBy, node);
        if (state.refusing) {
          response.statusCode = 503;
          response.end('{}');
          return;
        }
        inFlight += 1;
        mostAtOnce = Math.max(mostAtOnce, inFlight);
        // Long enough that two nodes uploading at once would overlap here.
        await new Promise((resolve) => setTimeout(resolve, 15));
        inFlight -= 1;
        const batch = JSON.parse(body) as {
          epoch: string;
          pruned_through?: number;
          events: Array<{ seq: number; event_id: string }>;
        };
        const firstSeq = batch.events[0]?.seq;
        if (firstSeq !== undefined && !firstSeqBy.has(node)) firstSeqBy.set(node, firstSeq);
        if (firstSeq !== undefined) batches.push({ node, first: firstSeq });
        const cursor = cursors.get(batch.epoch) ?? 0;
        const fresh = batch.events.filter((e) => e.seq > cursor);
        if (fresh[0] && fresh[0].seq > Math.max(cursor, batch.pruned_through ?? 0) + 1) {
          response.statusCode = 409;
          response.end(JSON.stringify({ error: { code: 'seq_gap', last_seq: cursor } }));
          return;
        }
        for (const event of batch.events) {
          if (!logged.has(event.event_id)) logged.set(event.event_id, event.seq);
        }
        const last = fresh.at(-1)?.seq ?? cursor;
        cursors.set(batch.epoch, last);
        response.end(JSON.stringify({ epoch: batch.epoch, last_seq: last }));
        return;
      }
      count(pollsBy, node);
      const since = Number(url.searchParams.get('since') ?? 0);
      response.end(
        JSON.stringify({
          events: webOrders.filter((e) => e.seq > since),
          last_seq: webOrders.length,
          has_more: false,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    urlFor: (node: string) => `http://127.0.0.1:${port}/${node}/`,
    logged,
    uploadsBy,
    pollsBy,
    firstSeqBy,
    batches,
    webOrders,
    mostAtOnce: () => mostAtOnce,
    /** Set: every upload is answered 503 (central down behind its proxy). */
    state,
    server,
  };
}

type Central = Awaited<ReturnType<typeof fakeCentral>>;

let central: Central | undefined;
const relays: Relay[] = [];
afterEach(async () => {
  closeClients();
  for (const relay of relays.splice(0)) await relay.close();
  central?.server.close();
  central = undefined;
});

/** Node `name` of the cluster on `databaseUrl`, bridged to `central` for outlet 1. */
async function node(
  name: string,
  databaseUrl: string,
  options: { takeoverMs?: number; retentionEvents?: number } = {},
) {
  const relay = createRelay({
    ...(options.retentionEvents ? { retentionEvents: options.retentionEvents } : {}),
    secret: SECRET,
    store: 'postgres',
    databaseUrl,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    cluster: { nodeId: name },
    central: {
      url: central!.urlFor(name),
      token: 'relay-credential',
      outlet: '1',
      takeoverMs: options.takeoverMs ?? 200,
      backoff: { minMs: 50, maxMs: 200, jitter: 0 },
    },
  });
  relays.push(relay);
  const { url } = await relay.listen();
  return { name, relay, url };
}

type Node = Awaited<ReturnType<typeof node>>;

async function bridgeOf(url: string): Promise<BridgeHealth> {
  return ((await (await fetch(`${url}/health`)).json()) as { bridge: BridgeHealth }).bridge;
}

/** Polls (bounded) until `done` holds. */
async function until(done: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Which of `nodes` says it holds the bridge, once one does. */
async function holderOf(nodes: Node[]): Promise<Node> {
  let holder: Node | undefined;
  await until(async () => {
    const roles = await Promise.all(nodes.map(async (n) => (await bridgeOf(n.url)).role));
    const holding = nodes.filter((_, i) => roles[i] === 'holder');
    holder = holding.length === 1 ? holding[0] : undefined;
    return holder !== undefined;
  });
  return holder!;
}

async function publishOn(n: Node, count: number): Promise<void> {
  const pos = await connected(n.url, { token: await tokenFor('pos', { sub: `pos-${n.name}` }) });
  for (let i = 0; i < count; i++) {
    expect(await pos.request<{ ok: boolean }>('order:publish', order())).toMatchObject({
      ok: true,
    });
  }
  pos.close();
}

/** Until the cluster's shared upload cursor (what central confirmed) reaches `seq`. */
async function confirmedThrough(databaseUrl: string, seq: number) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await until(async () => {
      const { rows } = await db.query(`SELECT value FROM cursors WHERE name = 'uplink:1'`);
      return Number(rows[0]?.value ?? 0) >= seq;
    });
  } finally {
    await db.end();
  }
}

/** The event ids the cluster logged for outlet 1, in seq order. */
async function loggedIds(relay: Relay): Promise<string[]> {
  const events = await relay.reader.eventsAfter('1', 0, 10_000, null);
  return events.map((e) => e.envelope.event_id);
}

describe('the bridge to central on a PostgreSQL cluster', () => {
  it('runs on one node: orders published on both reach central once each, uploaded by the holder only', async () => {
    central = await fakeCentral();
    const url = await freshDatabaseUrl();
    const nodes = [await node('a', url), await node('b', url)];
    const holder = await holderOf(nodes);
    const standby = nodes.find((n) => n !== holder)!;
    await publishOn(nodes[0]!, 5);
    await publishOn(nodes[1]!, 5);
    const ids = await loggedIds(holder.relay);
    expect(ids).toHaveLength(10);
    await until(() => central!.logged.size === 10);
    expect([...central!.logged.keys()].sort()).toEqual([...ids].sort());
    expect(central!.uploadsBy.get(standby.name) ?? 0).toBe(0);
    expect(central!.pollsBy.get(standby.name) ?? 0).toBe(0);
    expect(central!.mostAtOnce()).toBe(1);
    // Every node says who holds it; the standby shows the holder's bridge.
    expect(await bridgeOf(holder.url)).toMatchObject({ role: 'holder', holder: holder.name });
    await until(async () => (await bridgeOf(standby.url)).state === 'synced');
    expect(await bridgeOf(standby.url)).toMatchObject({
      role: 'standby',
      holder: holder.name,
      pendingEvents: 0,
    });
    const metrics = async (n: Node) => (await fetch(`${n.url}/metrics`)).text();
    expect(await metrics(holder)).toMatch(/^kitchen_sync_bridge_holder 1$/m);
    expect(await metrics(standby)).toMatch(/^kitchen_sync_bridge_holder 0$/m);
  }, 30_000);

  it('hands over when the holder stops: the other node resumes from the shared cursor, nothing skipped', async () => {
    central = await fakeCentral();
    const url = await freshDatabaseUrl();
    const nodes = [await node('a', url), await node('b', url)];
    const first = await holderOf(nodes);
    const second = nodes.find((n) => n !== first)!;
    await publishOn(first, 4);
    await confirmedThrough(url, 4);
    const uploadedByFirst = central!.uploadsBy.get(first.name) ?? 0;
    // Orders keep coming on the node that stays while the holder goes.
    const publishing = publishOn(second, 6);
    await first.relay.close();
    relays.splice(relays.indexOf(first.relay), 1);
    await publishing;
    await until(async () => (await bridgeOf(second.url)).role === 'holder');
    const ids = await loggedIds(second.relay);
    expect(ids).toHaveLength(10);
    await until(() => central!.logged.size === 10);
    expect([...central!.logged.keys()].sort()).toEqual([...ids].sort());
    // Central's log has each seq once, in order: nothing was skipped across the hand-over.
    expect([...central!.logged.values()].sort((x, y) => x - y)).toEqual(
      Array.from({ length: 10 }, (_, i) => i + 1),
    );
    // It went on after what the first node had confirmed, not from the start of the log.
    expect(central!.firstSeqBy.get(second.name)).toBe(5);
    expect(central!.uploadsBy.get(first.name)).toBe(uploadedByFirst);
  }, 30_000);

  it('hands over when the holder loses its database session, and takes the bridge back where the other left it', async () => {
    central = await fakeCentral();
    const url = await freshDatabaseUrl();
    const nodes = [await node('a', url), await node('b', url)];
    const first = await holderOf(nodes);
    const second = nodes.find((n) => n !== first)!;
    await publishOn(second, 3);
    await confirmedThrough(url, 3);
    // The holder's lock session ends (a cut link, a failover): the lock goes with it.
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      await db.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`,
        [`kitchen-sync bridge ${first.name}`],
      );
    } finally {
      await db.end();
    }
    await until(async () => (await bridgeOf(second.url)).role === 'holder');
    expect((await bridgeOf(first.url)).role).toBe('standby');
    await publishOn(first, 3);
    await confirmedThrough(url, 6);
    // The second node stops; the first takes the bridge back and goes on after seq 6.
    await second.relay.close();
    relays.splice(relays.indexOf(second.relay), 1);
    await publishOn(first, 2);
    await until(() => central!.logged.size === 8);
    // Each node's first batch after taking the bridge starts where central's cursor stood.
    const takeovers = central!.batches.filter((b, i, all) => all[i - 1]?.node !== b.node);
    expect(takeovers.map((b) => [b.node, b.first])).toEqual([
      [first.name, 1],
      [second.name, 4],
      [first.name, 7],
    ]);
  }, 30_000);

  it("brings central's web-shop order to the kitchens of both nodes once", async () => {
    central = await fakeCentral();
    const url = await freshDatabaseUrl();
    const nodes = [await node('a', url), await node('b', url)];
    await holderOf(nodes);
    // The outlet is served here (its first order): the downlink may pull its orders.
    await publishOn(nodes[0]!, 1);
    const kitchens: TestClient[] = await Promise.all(
      nodes.map(async (n) =>
        connected(n.url, { token: await tokenFor('kitchen', { sub: `kds-${n.name}` }) }),
      ),
    );
    const web = order({ outlet_id: 1, tenant_id: 1 });
    central.webOrders.push({
      seq: 1,
      event_id: randomUUID(),
      type: 'new_order',
      order_id: web.order_id,
      data: web as unknown as Record<string, unknown>,
    });
    const got = (k: TestClient) => k.events().filter((e) => e.order_id === web.order_id);
    for (const kitchen of kitchens) await kitchen.waitFor(() => got(kitchen).length > 0, 10_000);
    // A few more polls: a second copy would have come by now.
    const polls = [...central.pollsBy.values()].reduce((a, b) => a + b, 0);
    await until(() => [...central!.pollsBy.values()].reduce((a, b) => a + b, 0) > polls + 2);
    for (const kitchen of kitchens) {
      expect(got(kitchen).map((e) => e.event_id)).toEqual([central.webOrders[0]!.event_id]);
    }
  }, 30_000);

  it('keeps events central has not confirmed whichever node prunes, and uploads them later', async () => {
    central = await fakeCentral();
    central.state.refusing = true;
    const url = await freshDatabaseUrl();
    const a = await node('a', url);
    await publishOn(a, 5);
    const ids = await loggedIds(a.relay);
    await until(() => (central!.uploadsBy.get('a') ?? 0) > 1);
    // A node that does not run the bridge prunes at its start, keeping one event by its policy.
    const b = await node('b', url, { retentionEvents: 1 });
    expect((await bridgeOf(b.url)).role).toBe('standby');
    expect(await loggedIds(b.relay)).toEqual(ids);
    central.state.refusing = false;
    await until(() => central!.logged.size === 5);
    expect([...central.logged.keys()]).toEqual(ids);
  }, 30_000);
});
