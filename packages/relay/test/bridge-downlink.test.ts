import pino, { type Logger } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDownlink, DOWNLINK_PATH, type Downlink } from '../src/bridge/downlink.js';
import { createOrderCommands, type OrderCommands } from '../src/core/orderCommands.js';
import { createLogger, createSqliteEventStore, type EventStore } from '../src/index.js';
import { createWriteQueue } from '../src/store/writeQueue.js';
import { order, removeTempDirs, tempDir } from './helpers.js';

const CENTRAL = 'http://central.test/';

/** A number per event id, as central's CRC-32 of it is. */
const checkOf = (eventId: string) => Number.parseInt(eventId.slice(-8), 16);

/** Central's downlink as the Django package answers it: its own seqs, a reset when behind
 * or when `check` names another event than the one at `since`. */
function fakeCentral(events: Array<{ seq: number; event_id: string }>) {
  const central = {
    events,
    asked: [] as number[],
    checks: [] as Array<string | null>,
    /** Set: every poll is answered with this status (a bare error page). */
    failWith: null as number | null,
    fetch: (async (input: URL) => {
      if (central.failWith !== null)
        return new Response('<h1>error</h1>', { status: central.failWith });
      const params = new URL(input).searchParams;
      const since = Number(params.get('since'));
      central.asked.push(since);
      central.checks.push(params.get('check'));
      const head = central.events.at(-1)?.seq ?? 0;
      const at = central.events.find((e) => e.seq === since);
      const check = params.get('check');
      if (
        since > head ||
        (check !== null && since > 0 && (!at || checkOf(at.event_id) !== Number(check)))
      )
        return Response.json({ events: [], last_seq: head, has_more: false, reset: true });
      const page = central.events.filter((e) => e.seq > since);
      const last = central.events.at(-1);
      return Response.json({
        events: page,
        last_seq: head,
        has_more: false,
        ...(last ? { last_check: checkOf(last.event_id) } : {}),
      });
    }) as unknown as typeof fetch,
  };
  return central;
}

const newOrder = (seq: number) => ({
  seq,
  event_id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
  type: 'new_order',
  order_id: `10000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
  data: { outlet_id: 1, tenant_id: 1, order_number: `C-${seq}`, items: [] },
});

let store: EventStore;
let downlinks: Downlink[];
beforeEach(() => {
  vi.useFakeTimers();
  store = createSqliteEventStore({ dataDir: tempDir('ks-downlink-') });
  downlinks = [];
});
afterEach(() => {
  for (const downlink of downlinks) downlink.stop();
  store.close();
  vi.useRealTimers();
  removeTempDirs();
});

/** A downlink to the fake central whose commands only record the event ids they are given. */
function downlink(
  central: ReturnType<typeof fakeCentral>,
  written: string[],
  logger = createLogger({ level: 'silent' }),
) {
  const commands = {
    handle: async (_principal: unknown, _event: string, payload: { event_id: string }) => {
      written.push(payload.event_id);
      return { ok: true };
    },
  } as unknown as OrderCommands;
  return startDownlink(central, commands, logger);
}

/** Outlet 1's downlink to the fake central, stopped after the test. */
function startDownlink(
  central: ReturnType<typeof fakeCentral>,
  commands: OrderCommands,
  logger: Logger,
  more: Partial<Parameters<typeof createDownlink>[0]> = {},
) {
  const created = createDownlink({
    ...more,
    store,
    commands,
    outlet: '1',
    centralUrl: CENTRAL,
    token: 'relay-credential',
    logger,
    fetch: central.fetch,
    random: () => 0,
    pollMs: 1_000,
  });
  downlinks.push(created);
  return created;
}

/** The relay's own order commands on the test's store, at a fixed clock. */
function realCommands(nowMs: number): OrderCommands {
  // Fake timers hold setImmediate, the queue's default.
  const queue = createWriteQueue(store, () => undefined, queueMicrotask);
  let ids = 0;
  return createOrderCommands({
    store,
    queue,
    maxMessageBytes: 256 * 1024,
    now: () => nowMs,
    newId: () => `20000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
  });
}

/** A logger whose lines the test reads back. */
function recordingLogger<R>(level: string): { records: R[]; logger: Logger } {
  const records: R[] = [];
  const logger = pino({ level }, { write: (line: string) => records.push(JSON.parse(line)) });
  return { records, logger };
}

describe('the downlink', () => {
  it(`reads central's events from ${DOWNLINK_PATH} after its cursor`, async () => {
    const central = fakeCentral([newOrder(1), newOrder(2)]);
    const written: string[] = [];
    const down = downlink(central, written);
    down.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(written).toEqual([newOrder(1).event_id, newOrder(2).event_id]);
    expect(down.cursor()).toBe(2);
  });

  // Central's database restored from a backup: its head is below what the relay read, and
  // the seqs after it will name other events. Waiting for them would skip central's orders.
  it("starts again from 0 when central says its log is behind the relay's cursor", async () => {
    store.setCursor('downlink:1', 600);
    const central = fakeCentral([newOrder(1), newOrder(2), newOrder(3)]);
    const written: string[] = [];
    const down = downlink(central, written);
    down.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(central.asked.slice(0, 2)).toEqual([600, 0]);
    expect(written).toEqual([1, 2, 3].map((seq) => newOrder(seq).event_id));
    expect(down.cursor()).toBe(3);
  });

  // The tester's downlinkRestore repro: after a restore, relay uploads moved central's head
  // past the relay's cursor again before it polled, so `since > head` never said so.
  it('starts again from 0 when the event at its cursor is another one at central', async () => {
    const central = fakeCentral([newOrder(1), newOrder(2)]);
    const written: string[] = [];
    const down = downlink(central, written);
    down.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(down.cursor()).toBe(2);
    // Restored to a backup with seq 1; an upload took seq 2, a web order seq 3.
    const upload = { ...newOrder(2), event_id: '00000000-0000-4000-8000-0000000000aa' };
    const webOrder = { ...newOrder(3), event_id: '00000000-0000-4000-8000-0000000000bb' };
    central.events = [newOrder(1), upload, webOrder];
    await vi.advanceTimersByTimeAsync(1_000);
    expect(central.checks.at(-2)).toBe(String(checkOf(newOrder(2).event_id)));
    expect(written).toContain(webOrder.event_id);
    expect(down.cursor()).toBe(3);
  });

  // The tester's downlinkSilent repro: every poll answered 500, /health said synced.
  it('reports a downlink that fails in its health, and warns once when it starts failing', async () => {
    const { records, logger } = recordingLogger<{ level: number; msg: string; code?: string }>(
      'debug',
    );
    const central = fakeCentral([newOrder(1)]);
    central.failWith = 500;
    const down = downlink(central, [], logger);
    expect(down.health().downlinkState).toBe('starting');
    down.start();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(down.health()).toEqual({
      downlinkState: 'backoff',
      downlinkLastErrorCode: 'http_500',
      downlinkLastSuccessAt: null,
    });
    expect(records.filter((r) => r.level === 40).map((r) => r.code)).toEqual(['http_500']);
    central.failWith = null;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(down.health()).toMatchObject({ downlinkState: 'synced', downlinkLastErrorCode: null });
    expect(down.health().downlinkLastSuccessAt).not.toBeNull();
  });

  // A food court: one relay, several outlets. Outlet 1's central (or a bug there) must not
  // change outlet 2's orders, whatever the event says or leaves out.
  it("leaves another outlet's order alone when central names it", async () => {
    const commands = realCommands(Date.parse('2026-12-05T12:00:00Z'));
    const otherOutlet = '30000000-0000-4000-8000-000000000002';
    const published = await commands.handle(
      null,
      'order:publish',
      order({ order_id: otherOutlet, outlet_id: 2, tenant_id: 1 }),
    );
    expect(published.ok).toBe(true);
    const cancel = {
      seq: 1,
      event_id: '00000000-0000-4000-8000-000000000099',
      type: 'order_cancelled',
      order_id: otherOutlet,
      data: { status: 'cancelled' },
    };
    const central = fakeCentral([cancel]);
    const down = startDownlink(central, commands, createLogger({ level: 'silent' }));
    down.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(down.cursor()).toBe(1);
    const types = store.eventsAfter('2', 0, 10, null).map((event) => event.envelope.type);
    expect(types).toEqual(['new_order']);
    expect(store.getOrder(otherOutlet)?.state.status).toBe('pending');
  });

  // The POS's service worker sent central the order the relay has; central's project wrote it
  // down otherwise. A refusal that stopped the cursor there would hold every later web order.
  it("passes over central's copy of an outlet order that says something else, and goes on", async () => {
    const { records, logger } = recordingLogger<{
      level: number;
      code?: string;
      order_id?: string;
    }>('info');
    const commands = realCommands(Date.parse('2026-12-05T12:00:00Z'));
    const atOutlet = order({ outlet_id: 1, tenant_id: 1 });
    expect(await commands.handle(null, 'order:publish', atOutlet)).toMatchObject({ ok: true });
    const centralsCopy = {
      seq: 1,
      event_id: '00000000-0000-4000-8000-000000000071',
      type: 'new_order',
      order_id: atOutlet.order_id,
      data: { ...atOutlet, total_amount: '50000.00' },
    };
    const sameCopy = {
      seq: 2,
      event_id: '00000000-0000-4000-8000-000000000072',
      type: 'new_order',
      order_id: atOutlet.order_id,
      data: { ...atOutlet },
    };
    const webOrder = { seq: 3, ...centralOrder('00000000-0000-4000-8000-000000000073') };
    const central = fakeCentral([centralsCopy, sameCopy, webOrder]);
    const down = startDownlink(central, commands, logger);
    down.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(down.cursor()).toBe(3);
    expect(down.health().downlinkLastErrorCode).toBeNull();
    expect(store.getOrder(atOutlet.order_id)?.state.total_amount).toBe('50000');
    expect(store.getOrder(webOrder.order_id)?.state.status).toBe('pending');
    const logged = store.eventsAfter('1', 0, 10, null).map((e) => e.envelope.order_id);
    expect(logged).toEqual([atOutlet.order_id, webOrder.order_id]);
    // Central writing the orders it also got its own way is normal: noted, not warned.
    expect(records.filter((r) => r.level === 40)).toEqual([]);
    expect(records.filter((r) => r.level === 30)).toContainEqual(
      expect.objectContaining({ order_id: atOutlet.order_id }),
    );
  });

  // Central restored from a backup: the relay reads its log again from 0. What the relay still
  // logs is a duplicate by event_id; web orders it finished and retention removed were new
  // tickets again, until the relay kept their ids.
  it('passes over the web orders the outlet finished and pruned when it reads central again after a reset', async () => {
    const { records, logger } = recordingLogger<{ level: number; msg: string; events?: number }>(
      'debug',
    );
    const nowMs = Date.parse('2026-12-05T12:00:00Z');
    const commands = realCommands(nowMs);
    const cooked = { seq: 1, ...centralOrder('00000000-0000-4000-8000-000000000081') };
    const cancelled = { seq: 2, ...centralOrder('00000000-0000-4000-8000-000000000082') };
    const cancel = {
      seq: 3,
      event_id: '00000000-0000-4000-8000-000000000083',
      type: 'order_cancelled',
      order_id: cancelled.order_id,
      data: { ...cancelled.data, status: 'cancelled' },
    };
    const central = fakeCentral([cooked, cancelled, cancel]);
    const down = startDownlink(central, commands, logger);
    down.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(down.cursor()).toBe(3);
    for (const status of ['preparing', 'ready', 'completed']) {
      const done = await commands.handle(null, 'order:update', {
        order_id: cooked.order_id,
        status,
      });
      expect(done).toMatchObject({ ok: true });
    }
    const atTheTill = order({ outlet_id: 1, tenant_id: 1 });
    expect(await commands.handle(null, 'order:publish', atTheTill)).toMatchObject({ seq: 7 });
    store.prune({ maxAgeMs: 24 * 3_600_000, maxEvents: 1 }, nowMs);
    expect(store.prunedThrough('1')).toBe(6);
    // Central's restored log also holds a web order the relay pruned and forgot long ago.
    const forgotten = {
      seq: 4,
      ts: new Date(nowMs - 30 * 86_400_000).toISOString(),
      ...centralOrder('00000000-0000-4000-8000-000000000084'),
    };
    central.events.push(forgotten);

    store.setCursor('downlink:1', 600);
    await vi.advanceTimersByTimeAsync(1_100);
    expect(central.asked).toContain(600);
    expect(central.asked.at(-1)).toBe(0);
    expect(down.cursor()).toBe(4);
    expect(down.health().downlinkLastErrorCode).toBeNull();
    expect(store.head('1')).toBe(7);
    expect(store.openOrders('1', null).map((o) => o.order_id)).toEqual([atTheTill.order_id]);
    // A duplicate, as any other: no warning for the operator; the forgotten one is counted.
    const warned = records.filter((r) => r.level >= 40 && !r.msg.includes('restored?'));
    expect(warned).toEqual([expect.objectContaining({ events: 1 })]);
    expect(records).toContainEqual(
      expect.objectContaining({ level: 20, order_id: cancelled.order_id }),
    );
  });

  // Past the week the relay remembers pruned ids, central's log read from the start (after a
  // reset, or by a relay with no cursor yet) would bring every older web order back as a new
  // ticket: months of them. Live events are not judged by the relay's clock.
  it('reading central from the start, passes over events older than the relay remembers pruned orders, of orders it does not hold', async () => {
    const { records, logger } = recordingLogger<{ level: number; events?: number }>('info');
    const nowMs = Date.parse('2026-12-05T12:00:00Z');
    const commands = realCommands(nowMs);
    const at = (daysAgo: number) => new Date(nowMs - daysAgo * 86_400_000).toISOString();
    const lastMonth = {
      seq: 1,
      ts: at(30),
      ...centralOrder('00000000-0000-4000-8000-000000000091'),
    };
    const lastMonthsCancel = {
      seq: 2,
      ts: at(30),
      event_id: '00000000-0000-4000-8000-000000000092',
      type: 'order_cancelled',
      order_id: lastMonth.order_id,
      data: { status: 'cancelled' },
    };
    const today = { seq: 3, ts: at(0), ...centralOrder('00000000-0000-4000-8000-000000000093') };
    // Held by the relay (still open), so its old change still applies.
    const heldOpen = order({ outlet_id: 1, tenant_id: 1 });
    await commands.handle(null, 'order:publish', heldOpen);
    const heldCancel = {
      seq: 4,
      ts: at(9),
      event_id: '00000000-0000-4000-8000-000000000094',
      type: 'order_cancelled',
      order_id: heldOpen.order_id,
      data: { status: 'cancelled' },
    };
    const central = fakeCentral([lastMonth, lastMonthsCancel, today, heldCancel]);
    const down = startDownlink(central, commands, logger, { now: () => nowMs });
    down.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(down.cursor()).toBe(4);
    expect(store.getOrder(lastMonth.order_id)).toBeUndefined();
    expect(store.getOrder(today.order_id)?.state.status).toBe('pending');
    expect(store.getOrder(heldOpen.order_id)?.state.status).toBe('cancelled');
    expect(records.filter((r) => r.level === 40)).toEqual([expect.objectContaining({ events: 2 })]);

    // After the log's history, an event as old by the relay's clock (a clock weeks ahead) is
    // a live one all the same.
    const live = { seq: 5, ts: at(30), ...centralOrder('00000000-0000-4000-8000-000000000095') };
    central.events.push(live);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(down.cursor()).toBe(5);
    expect(store.getOrder(live.order_id)?.state.status).toBe('pending');
    expect(records.filter((r) => r.level === 40)).toHaveLength(1);
  });
});

/** A new order made at central (a web shop's) for outlet 1, as its downlink sends it. */
function centralOrder(eventId: string) {
  const made = order({ outlet_id: 1, tenant_id: 1 });
  return { event_id: eventId, type: 'new_order', order_id: made.order_id, data: made };
}
