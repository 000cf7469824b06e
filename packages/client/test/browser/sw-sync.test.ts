import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Kiosk, orderBody, orderIds, startKiosk } from './kiosk.js';

let kiosk: Kiosk;

beforeEach(async () => {
  kiosk = await startKiosk();
});

afterEach(async () => {
  await kiosk?.close();
});

const syncNow = () => kiosk.page.evaluate(() => globalThis.ks.manager.syncNow());
const queueStatus = () => kiosk.page.evaluate(() => globalThis.ks.manager.queueStatus());
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('order background sync in Chromium', () => {
  it('delivers an order placed online at once, keyed by its order_id', async () => {
    const answer = await kiosk.place(1);
    expect(answer.status).toBe(201);
    expect(kiosk.server.backend.posts).toEqual([
      expect.objectContaining({ idempotencyKey: orderBody(1).order_id, status: 201 }),
    ]);
    expect((await queueStatus()).pending).toEqual([]);
  });

  it('keeps 20 offline orders across a reload and a browser restart, then delivers each once, in order', async () => {
    const { backend } = kiosk.server;
    await kiosk.browser.context.setOffline(true);
    for (const n of range(1, 20)) expect((await kiosk.place(n)).status).toBe(202);

    await kiosk.reload();
    expect((await queueStatus()).pending.map((o) => o.orderId)).toEqual(orderIds(range(1, 20)));

    // Chromium wakes the worker for the pending Background Sync as it starts, before Playwright's
    // offline emulation reaches it (even with `offline` at launch): the backend is unreachable
    // instead while the browser restarts.
    backend.down = true;
    await kiosk.browser.restart({ offline: true });
    await kiosk.openPage();
    expect((await queueStatus()).pending).toHaveLength(20);
    expect(backend.accepted).toEqual([]);

    backend.down = false;
    const triedWhileDown = backend.posts.length;
    await kiosk.browser.context.setOffline(false);
    const result = await syncNow();
    expect(result.remaining).toBe(0);
    expect(result.rejected).toBe(0);
    const delivered = backend.posts.slice(triedWhileDown);
    expect(delivered.map((p) => p.idempotencyKey)).toEqual(orderIds(range(1, 20)));
    expect(delivered.map((p) => (p.body as { order_id: string }).order_id)).toEqual(
      orderIds(range(1, 20)),
    );
    expect(delivered.every((p) => p.status === 201)).toBe(true);
    expect((await queueStatus()).pending).toEqual([]);
  });

  it('keeps the queue whole when the browser dies while the backend holds a replayed order', async () => {
    const { backend } = kiosk.server;
    backend.down = true;
    for (const n of range(1, 10)) expect((await kiosk.place(n)).status).toBe(202);

    // The first attempt of order 5 never gets an answer; the browser is closed meanwhile.
    const held = orderBody(5).order_id;
    let holds = 1;
    backend.answer = (post) => (post.idempotencyKey === held && holds-- > 0 ? 'hang' : undefined);
    backend.down = false;
    await kiosk.page.evaluate(() => {
      void globalThis.ks.manager.syncNow().catch(() => undefined);
    });
    await backend.waitFor('the held order', (b) => b.posts.some((p) => p.idempotencyKey === held));
    await kiosk.browser.restart();

    await kiosk.openPage();
    expect((await syncNow()).remaining).toBe(0);
    expect(backend.accepted.map((p) => p.idempotencyKey)).toEqual(orderIds(range(1, 10)));
    // Sent twice with the same key: the backend's idempotency turns that into once.
    expect(backend.posts.filter((p) => p.idempotencyKey === held).map((p) => p.status)).toEqual([
      0, 201,
    ]);
  });

  it('loses nothing while the backend answers 500, and delivers once it recovers', async () => {
    const { backend } = kiosk.server;
    let failing = true;
    backend.answer = () => (failing ? 500 : undefined);
    for (const n of range(1, 5)) expect((await kiosk.place(n)).status).toBe(202);

    expect(await syncNow()).toEqual({ replayed: 0, remaining: 5, rejected: 0 });
    // Each attempt stops at the first order: the rest wait behind it, never overtaking.
    expect(new Set(backend.posts.map((p) => p.idempotencyKey))).toEqual(new Set(orderIds([1])));

    failing = false;
    expect((await syncNow()).remaining).toBe(0);
    expect(backend.accepted.map((p) => p.idempotencyKey)).toEqual(orderIds(range(1, 5)));
  });

  it('moves an order the backend refuses with 400 to a visible rejected list and delivers the rest', async () => {
    const { backend } = kiosk.server;
    const refused = orderBody(3).order_id;
    backend.answer = (post) => (post.idempotencyKey === refused ? 400 : undefined);
    await kiosk.browser.context.setOffline(true);
    for (const n of range(1, 5)) expect((await kiosk.place(n)).status).toBe(202);
    await kiosk.browser.context.setOffline(false);

    // Coming online already made the page send ONLINE, so the replay may be done before SYNC_NOW.
    expect((await syncNow()).remaining).toBe(0);
    expect(backend.accepted.map((p) => p.idempotencyKey)).toEqual(orderIds([1, 2, 4, 5]));
    const { pending, rejected } = await queueStatus();
    expect(pending).toEqual([]);
    expect(rejected).toEqual([
      expect.objectContaining({
        orderId: refused,
        idempotencyKey: refused,
        status: 400,
        reason: 'rejected',
      }),
    ]);
    expect(JSON.parse(rejected[0]?.body ?? '{}')).toEqual(orderBody(3));
    expect(JSON.parse(rejected[0]?.response ?? '{}')).toEqual({
      error: { code: 'invalid_payload' },
    });
    await kiosk.page.waitForFunction(
      () =>
        globalThis.ks.manager.queue.get()?.rejected === 1 &&
        globalThis.ks.manager.queue.get()?.pending === 0,
      null,
      { timeout: 10_000 },
    );

    const after = await kiosk.page.evaluate(
      (id) => globalThis.ks.manager.dismissRejected([id]),
      rejected[0]?.id ?? -1,
    );
    expect(after.rejected).toEqual([]);
  });

  it('resends a rejected order on RETRY_REJECTED, once, with its own key', async () => {
    const { backend } = kiosk.server;
    const refused = orderBody(2).order_id;
    let refusing = true;
    backend.answer = (post) => (refusing && post.idempotencyKey === refused ? 422 : undefined);
    for (const n of range(1, 3)) await kiosk.place(n);
    const [entry] = (await queueStatus()).rejected;
    expect(entry).toMatchObject({ orderId: refused, reason: 'rejected', status: 422 });

    refusing = false;
    const retry = (id: number) =>
      kiosk.page.evaluate((i) => globalThis.ks.manager.retryRejected(i), id);
    const answers = await Promise.all([retry(entry?.id ?? -1), retry(entry?.id ?? -1)]);
    expect(answers).toEqual([
      { outcome: 'delivered', status: 201 },
      { outcome: 'not_found', status: 0 },
    ]);
    expect(backend.accepted.map((p) => p.idempotencyKey)).toEqual(orderIds([1, 3, 2]));
    expect(await queueStatus()).toEqual({ pending: [], rejected: [] });
    await kiosk.page.waitForFunction(
      () => globalThis.ks.manager.queue.get()?.rejected === 0,
      null,
      {
        timeout: 10_000,
      },
    );
  });

  it('honours an Idempotency-Key the page set itself', async () => {
    const answer = await kiosk.page.evaluate(async (order) => {
      const response = await fetch('/api/public/order-groups/', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Idempotency-Key': 'group-42' },
        body: JSON.stringify(order),
      });
      return response.status;
    }, orderBody(1));
    expect(answer).toBe(201);
    expect(kiosk.server.backend.posts.map((p) => p.idempotencyKey)).toEqual(['group-42']);
  });
});
