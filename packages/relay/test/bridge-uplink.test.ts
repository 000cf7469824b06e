import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startUploadEndpoint, type UploadEndpoint } from '../../../test-support/uploadEndpoint.js';
import { createCentralCredential } from '../src/bridge/centralCredential.js';
import { type CentralWorker, startCentralWorker } from '../src/bridge/centralWorker.js';
import { createUplink, UPLOAD_PATH, type Uplink } from '../src/bridge/uplink.js';
import { createLogger, createSqliteEventStore, type EventStore } from '../src/index.js';
import { removeTempDirs, tempDir } from './helpers.js';

const logger = createLogger({ level: 'silent' });

/** A logger that keeps what it is told, as pino's records. */
function recordingLogger() {
  const records: Array<{ level: number; msg: string } & Record<string, unknown>> = [];
  const recorder = pino(
    { level: 'debug' },
    { write: (line: string) => records.push(JSON.parse(line)) },
  );
  return {
    recorder,
    records,
    warnings: () => records.filter((r) => r.level === 40).map((r) => r.msg),
    errors: () => records.filter((r) => r.level === 50).map((r) => r.msg),
  };
}
const CENTRAL = 'http://central.test/';

/** Central as the Django package answers: a cursor per epoch, events kept once by id, a
 * batch after a gap refused with seq_gap, an unknown event at or below the cursor with
 * epoch_conflict. */
function fakeCentral() {
  const central = {
    up: true,
    received: [] as Array<{ seq: number; event_id: string; epoch: string }>,
    cursors: new Map<string, number>(),
    requests: [] as Array<{ url: string; auth: string | null; count: number }>,
    /** A proxy in front of central refusing bodies of more events than this (HTML 413). */
    maxEvents: Number.POSITIVE_INFINITY,
    /** A link on which a batch of more events than this does not finish before the timeout. */
    maxEventsInTime: Number.POSITIVE_INFINITY,
    /** Central's database as a backup taken when each epoch's cursor was at `seq` has it. */
    restore(seq: number) {
      central.received = central.received.filter((e) => e.seq <= seq);
      for (const epoch of central.cursors.keys()) central.cursors.set(epoch, seq);
    },
    fetch: (async (input: URL, init: RequestInit) => {
      if (!central.up) throw new TypeError('fetch failed');
      const body = JSON.parse(String(init.body)) as {
        epoch: string;
        pruned_through?: number;
        events: Array<{ seq: number; event_id: string }>;
      };
      if (body.events.length > central.maxEventsInTime) {
        central.requests.push({ url: String(input), auth: null, count: body.events.length });
        return new Promise<Response>((_, reject) => {
          init.signal?.addEventListener('abort', () => reject(new DOMException('aborted')));
        });
      }
      if (body.events.length > central.maxEvents) {
        central.requests.push({ url: String(input), auth: null, count: body.events.length });
        return new Response('<html><h1>413 Request Entity Too Large</h1></html>', {
          status: 413,
          headers: { 'content-type': 'text/html' },
        });
      }
      central.requests.push({
        url: String(input),
        auth: new Headers(init.headers).get('authorization'),
        count: body.events.length,
      });
      let last = central.cursors.get(body.epoch) ?? 0;
      const refuse = (code: string, extra: object) =>
        Response.json(
          { error: { code, message: code, last_seq: last, ...extra } },
          { status: 409 },
        );
      const fresh = body.events.filter((e) => e.seq > last);
      if (fresh[0] && fresh[0].seq > Math.max(last, body.pruned_through ?? 0) + 1) {
        return refuse('seq_gap', {});
      }
      const known = (event: { event_id: string }) =>
        central.received.some((e) => e.event_id === event.event_id);
      const unknown = body.events.find((e) => e.seq <= last && !known(e));
      if (unknown) return refuse('epoch_conflict', { seq: unknown.seq });
      for (const event of fresh) {
        if (!known(event)) {
          central.received.push({ seq: event.seq, event_id: event.event_id, epoch: body.epoch });
        }
        last = event.seq;
      }
      central.cursors.set(body.epoch, last);
      return Response.json({ epoch: body.epoch, last_seq: last, applied: 0, duplicates: 0 });
    }) as unknown as typeof fetch,
  };
  return central;
}

function publish(store: EventStore, count: number) {
  store.transaction(() => {
    for (let i = 0; i < count; i++) {
      const orderId = randomUUID();
      store.append({
        outlet: '1',
        tenant: '1',
        tsMs: Date.now(),
        envelope: {
          event_id: randomUUID(),
          type: 'new_order',
          outlet_id: 1,
          tenant_id: 1,
          order_id: orderId,
          data: { order_id: orderId, status: 'pending' },
          ts: new Date().toISOString(),
        },
      });
    }
  });
}

let store: EventStore;
let uplinks: Uplink[];

beforeEach(() => {
  vi.useFakeTimers();
  store = createSqliteEventStore({ dataDir: tempDir('ks-uplink-') });
  uplinks = [];
});

afterEach(() => {
  for (const uplink of uplinks) uplink.stop();
  store.close();
  vi.useRealTimers();
  removeTempDirs();
});

function uplink(
  central: ReturnType<typeof fakeCentral>,
  target = store,
  extra: Partial<Parameters<typeof createUplink>[0]> = {},
) {
  const created = createUplink({
    store: target,
    outlet: '1',
    centralUrl: CENTRAL,
    token: 'relay-credential',
    logger,
    ...extra,
    fetch: central.fetch,
    random: () => 0,
    batchSize: 50,
    backoff: { minMs: 1_000, maxMs: 8_000, jitter: 0.5 },
    ...extra,
  });
  uplinks.push(created);
  return created;
}

describe('the uplink', () => {
  it('uploads the log in seq order in batches with the relay credential', async () => {
    publish(store, 120);
    const central = fakeCentral();
    const up = uplink(central);
    up.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(central.received.map((e) => e.seq)).toEqual(
      Array.from({ length: 120 }, (_, i) => i + 1),
    );
    expect(central.requests.map((r) => r.count)).toEqual([50, 50, 20]);
    expect(central.requests[0]).toMatchObject({
      url: `${CENTRAL}${UPLOAD_PATH}`,
      auth: 'Bearer relay-credential',
    });
    expect(store.getCursor('uplink:1')).toBe(120);
    expect(up.health()).toMatchObject({ state: 'synced', pendingEvents: 0, lastErrorCode: null });
  });

  // nginx's client_max_body_size, or Django's upload limit in front of the package's view,
  // answer 413 without the package's JSON: the batch must shrink all the same.
  it('halves its batches on a bare HTTP 413 until central takes them', async () => {
    publish(store, 60);
    const central = fakeCentral();
    central.maxEvents = 20;
    const up = uplink(central);
    up.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(central.requests.map((r) => r.count).slice(0, 3)).toEqual([50, 25, 12]);
    expect(central.received.map((e) => e.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(up.health()).toMatchObject({ state: 'synced', lastErrorCode: null });
  });

  it('uploads what is published later without being polled', async () => {
    const central = fakeCentral();
    const up = uplink(central);
    up.start();
    await vi.advanceTimersByTimeAsync(10);
    publish(store, 3);
    up.notify();
    await vi.advanceTimersByTimeAsync(10);
    expect(central.received).toHaveLength(3);
  });

  it('keeps the cursor while central is down, backs off to the cap, and drains on return', async () => {
    publish(store, 10);
    const central = fakeCentral();
    central.up = false;
    const up = uplink(central);
    up.start();
    // Attempts at 0, 1, 3, 7 and 15 s (1, 2, 4, 8 s apart); the next one waits the cap, 8 s.
    await vi.advanceTimersByTimeAsync(15_001);
    expect(up.health()).toMatchObject({
      state: 'backoff',
      pendingEvents: 10,
      lastErrorCode: 'central_unreachable',
      lastSuccessAt: null,
    });
    expect(store.getCursor('uplink:1')).toBeUndefined();
    central.up = true;
    // The next attempt comes at the capped delay (8 s), not earlier, even when notified.
    publish(store, 1);
    up.notify();
    await vi.advanceTimersByTimeAsync(1);
    expect(central.received).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(7_990);
    expect(central.received).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(20);
    expect(central.received).toHaveLength(11);
    expect(up.health()).toMatchObject({ state: 'synced', pendingEvents: 0, lastErrorCode: null });
  });

  it('advances only to what central confirms', async () => {
    publish(store, 5);
    const central = fakeCentral();
    const answers = central.fetch;
    const cursors: Array<number | undefined> = [];
    let calls = 0;
    // Central's first answer confirms only two of the five (as after a partial apply).
    central.fetch = (async (input: URL, init: RequestInit) => {
      cursors.push(store.getCursor('uplink:1'));
      calls += 1;
      if (calls > 1) return answers(input, init);
      const body = JSON.parse(String(init.body));
      return answers(input, {
        ...init,
        body: JSON.stringify({ ...body, events: body.events.slice(0, 2) }),
      });
    }) as unknown as typeof fetch;
    const up = uplink(central);
    up.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(cursors).toEqual([undefined, 2]);
    expect(central.received.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(store.getCursor('uplink:1')).toBe(5);
  });

  it('resumes from the stored cursor after a restart', async () => {
    const dir = tempDir('ks-uplink-restart-');
    const first = createSqliteEventStore({ dataDir: dir });
    publish(first, 4);
    first.setCursor('uplink:1', 4);
    publish(first, 2);
    first.close();
    const reopened = createSqliteEventStore({ dataDir: dir });
    const central = fakeCentral();
    central.cursors.set(reopened.epoch, 4);
    const up = uplink(central, reopened);
    up.start();
    await vi.advanceTimersByTimeAsync(10);
    up.stop();
    reopened.close();
    expect(central.received.map((e) => e.seq)).toEqual([5, 6]);
  });

  // The outside tester's centralRestore repro: central's database restored from a backup.
  it("uploads again from central's last seq when central is behind what it confirmed", async () => {
    const { recorder, warnings } = recordingLogger();
    publish(store, 10);
    const central = fakeCentral();
    const up = uplink(central, store, { logger: recorder });
    up.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(store.getCursor('uplink:1')).toBe(10);
    central.restore(4);
    publish(store, 3);
    up.notify();
    await vi.advanceTimersByTimeAsync(10);
    expect(central.received.map((e) => e.seq)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    expect(up.health()).toMatchObject({ state: 'synced', pendingEvents: 0, lastErrorCode: null });
    expect(warnings().filter((m) => m.includes('restored'))).toHaveLength(1);
  });

  it('sees an idle restore at its first upload (an empty batch asks where central stands)', async () => {
    const dir = tempDir('ks-uplink-restore-');
    const first = createSqliteEventStore({ dataDir: dir });
    publish(first, 6);
    first.setCursor('uplink:1', 6);
    first.close();
    const reopened = createSqliteEventStore({ dataDir: dir });
    const central = fakeCentral();
    central.cursors.set(reopened.epoch, 0);
    const up = uplink(central, reopened);
    up.start();
    await vi.advanceTimersByTimeAsync(10);
    up.stop();
    reopened.close();
    expect(central.received.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  // The tester's twoRelays repro: a copied data dir, two logs under one epoch.
  it('takes an epoch of its own when central holds another log under its epoch', async () => {
    const { recorder, errors } = recordingLogger();
    publish(store, 8);
    const central = fakeCentral();
    // The other copy uploaded seqs 1-5 of its own log under this epoch.
    central.cursors.set(store.epoch, 5);
    for (let seq = 1; seq <= 5; seq++) {
      central.received.push({ seq, event_id: randomUUID(), epoch: store.epoch });
    }
    const up = uplink(central, store, { logger: recorder });
    up.start();
    await vi.advanceTimersByTimeAsync(1);
    expect(up.health()).toMatchObject({ state: 'backoff', lastErrorCode: 'epoch_conflict' });
    expect(errors()).toEqual([expect.stringContaining('another relay log')]);
    await vi.advanceTimersByTimeAsync(2_000);
    const ours = central.received.filter((e) => e.epoch !== store.epoch);
    expect(ours.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(ours.map((e) => e.epoch)).size).toBe(1);
    expect(ours[0]?.epoch.startsWith(`${store.epoch}.`)).toBe(true);
    expect(up.health()).toMatchObject({ state: 'synced', lastErrorCode: null });
    // The epoch of its own outlives a restart.
    expect(store.getCursor('uplink-epoch:1')).toBeGreaterThan(0);
  });

  // The tester's slowLink repro: a full batch never finishes within the request timeout.
  it('halves its batches on a timeout, and grows them back after successes', async () => {
    publish(store, 400);
    const central = fakeCentral();
    central.maxEventsInTime = 20;
    const up = uplink(central, store, { requestTimeoutMs: 1_000 });
    up.start();
    await vi.advanceTimersByTimeAsync(1_010);
    expect(up.health().lastErrorCode).toBe('central_timeout');
    central.maxEventsInTime = Number.POSITIVE_INFINITY;
    await vi.advanceTimersByTimeAsync(10_000);
    // Back to the configured 50 once four halved batches went through.
    expect(central.requests.map((r) => r.count).slice(0, 7)).toEqual([50, 25, 25, 25, 25, 50, 50]);
    expect(up.health()).toMatchObject({ state: 'synced', pendingEvents: 0 });
  });

  // The tester's credential repro: a new credential written to --central-token-file.
  it('reads the token file again when central refuses the credential', async () => {
    const jwt = (n: number) =>
      `h.${Buffer.from(JSON.stringify({ role: 'relay', outlet: '1', n })).toString('base64url')}.s`;
    let file = jwt(1);
    const credential = createCentralCredential(jwt(1), '/token', '1', logger, () => file);
    publish(store, 2);
    const central = fakeCentral();
    const answers = central.fetch;
    central.fetch = (async (input: URL, init: RequestInit) =>
      new Headers(init.headers).get('authorization') === `Bearer ${jwt(2)}`
        ? answers(input, init)
        : Response.json(
            { error: { code: 'unauthorized', message: 'no' } },
            { status: 401 },
          )) as never;
    const up = uplink(central, store, { credential });
    up.start();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(up.health().lastErrorCode).toBe('unauthorized');
    file = jwt(2);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(up.health()).toMatchObject({ state: 'synced', lastErrorCode: null, pendingEvents: 0 });
    expect(central.received).toHaveLength(2);
  });

  // The tester's otherOutlet repro: outlet 2's orders on outlet 1's bridged relay.
  it('warns once per other outlet whose events the relay logs but does not upload', () => {
    const { recorder, warnings } = recordingLogger();
    const up = uplink(fakeCentral(), store, { logger: recorder });
    up.sawOutlets(['1', '2']);
    up.sawOutlets(['2', '3', '1']);
    expect(warnings()).toHaveLength(2);
  });

  it('reports central refusing the credential by its code', async () => {
    publish(store, 1);
    const central = fakeCentral();
    central.fetch = (async () =>
      Response.json({ error: { code: 'unauthorized', message: 'no' } }, { status: 401 })) as never;
    const up = uplink(central);
    up.start();
    await vi.advanceTimersByTimeAsync(1);
    expect(up.health()).toMatchObject({
      state: 'backoff',
      lastErrorCode: 'unauthorized',
      pendingEvents: 1,
    });
  });
});

describe('the uplink on a worker thread', () => {
  let central: UploadEndpoint;
  let dir: string;

  beforeEach(async () => {
    vi.useRealTimers();
    store.close();
    dir = tempDir('ks-uplink-worker-');
    store = createSqliteEventStore({ dataDir: dir });
    central = await startUploadEndpoint();
  });

  let workers: CentralWorker[];
  beforeEach(() => {
    workers = [];
  });
  afterEach(() => {
    for (const worker of workers) worker.stop();
    return central.close();
  });

  function centralWorker(access = store.workerAccess) {
    if (!access) throw new Error('the store has no file');
    const worker = startCentralWorker({
      access,
      outlet: '1',
      uploadUrl: new URL(UPLOAD_PATH, central.url).href,
      token: 'relay-credential',
      timeoutMs: 5_000,
      onFailure: () => undefined,
    });
    workers.push(worker);
    return worker;
  }

  function workerUplink(worker = centralWorker()) {
    const created = createUplink({
      store,
      outlet: '1',
      centralUrl: central.url,
      token: 'relay-credential',
      logger,
      batchSize: 200,
      backoff: { minMs: 10, maxMs: 40, jitter: 0 },
      worker,
    });
    uplinks.push(created);
    return created;
  }

  it('reads and posts the batches there, and the cursor follows central', async () => {
    expect(store.workerAccess?.filename).toBe(join(dir, 'relay.db'));
    publish(store, 450);
    const up = workerUplink();
    up.start();
    await vi.waitFor(() => expect(up.health().state).toBe('backoff'));
    expect(up.health().lastErrorCode).toBe('central_unreachable');
    expect(store.getCursor('uplink:1')).toBeUndefined();
    central.up = true;
    await vi.waitFor(() =>
      expect(up.health()).toMatchObject({ state: 'synced', pendingEvents: 0 }),
    );
    expect(central.received.size).toBe(450);
    expect(store.getCursor('uplink:1')).toBe(450);
    publish(store, 3);
    up.notify();
    await vi.waitFor(() => expect(central.received.size).toBe(453));
  });

  // Linux (per-thread nice values, /proc), like the rest of this suite's CI.
  it('runs at nice 19 on its own thread, leaving the relay thread at its priority', async () => {
    // Field 19 of /proc/<pid>/task/<tid>/stat is the thread's nice value.
    const nicedThreads = () =>
      readdirSync('/proc/self/task').filter((tid) => {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16] === '19';
      }).length;
    // An earlier test's worker may still be exiting: count from a process with none left.
    await vi.waitFor(() => expect(nicedThreads()).toBe(0));
    publish(store, 5);
    central.up = true;
    const worker = centralWorker();
    workerUplink(worker).start();
    await vi.waitFor(() => expect(central.received.size).toBe(5));
    expect(nicedThreads()).toBe(1);
    expect(getPriority()).toBe(0);
    worker.stop();
    await vi.waitFor(() => expect(nicedThreads()).toBe(0));
  });

  it('closes its connection when stopped, so closing the store empties the WAL', async () => {
    publish(store, 5);
    central.up = true;
    const worker = centralWorker();
    const up = workerUplink(worker);
    up.start();
    await vi.waitFor(() => expect(central.received.size).toBe(5));
    up.stop();
    worker.stop();
    expect(worker.alive).toBe(false);
    store.close();
    expect(existsSync(join(dir, 'relay.db-wal'))).toBe(false);
    store = createSqliteEventStore({ dataDir: dir });
  });

  it('uploads on the main thread when the worker cannot run', async () => {
    publish(store, 250);
    central.up = true;
    const broken = centralWorker({ source: 'throw new Error("no sqlite here");', filename: 'x' });
    await vi.waitFor(() => expect(broken.alive).toBe(false));
    const up = workerUplink(broken);
    up.start();
    await vi.waitFor(() =>
      expect(up.health()).toMatchObject({ state: 'synced', pendingEvents: 0 }),
    );
    expect(central.received.size).toBe(250);
  });
});
