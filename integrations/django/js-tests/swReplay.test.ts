// The worker's order queue (the code installKitchenSync runs in the service worker), driven in
// Node against daphne: cheaper than Chromium and the same replay code path; Chromium's side
// of it is covered by packages/client/test/browser.
import './harness/workerGlobals.js';
import { randomUUID } from 'node:crypto';
import { classifyResponse } from '@kitchen-sync/client/sw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLock } from '../../../packages/client/src/sw/lock.js';
import { OrderQueueDb } from '../../../packages/client/src/sw/orderQueueDb.js';
import { OrderSync } from '../../../packages/client/src/sw/orderSync.js';
import { centralOrder } from './harness/centralOrder.js';
import { DjangoStack } from './harness/djangoStack.js';

let stack: DjangoStack;

beforeAll(async () => {
  stack = await new DjangoStack().start();
});

afterAll(async () => {
  await stack?.stop();
});

function orderSync(fetch: typeof globalThis.fetch): OrderSync {
  return new OrderSync({
    db: new OrderQueueDb('django-order-queue'),
    lock: createLock('django-order-queue'),
    classify: classifyResponse,
    retentionMs: 24 * 60 * 60_000,
    timeoutMs: 10_000,
    answerWithinMs: 5_000,
    fetch,
    now: Date.now,
    timers: { setTimeout, clearTimeout } as never,
    randomUUID,
    onChange: () => undefined,
  });
}

describe('service-worker replay with Idempotency-Key against the kitchen_sync middleware', () => {
  it('books each order once when the answer is lost and the page also sent it twice', async () => {
    const groupKey = randomUUID();
    const orderIds = [randomUUID(), randomUUID()];
    const checkout = () =>
      new Request(`${stack.url}/api/public/order-groups/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Idempotency-Key': groupKey },
        body: JSON.stringify({
          outlet_id: 1,
          orders: orderIds.map((order_id, i) => centralOrder(i + 1, { order_id })),
        }),
      });

    // Django stores the group, then the answer never reaches the worker (it was killed, or
    // the uplink dropped): the entry stays queued.
    let reachedDjango = 0;
    const answerLost: typeof fetch = async (input) => {
      const response = await fetch(input as Request);
      reachedDjango += response.status === 201 ? 1 : 0;
      throw new TypeError('Failed to fetch');
    };
    const first = orderSync(answerLost);
    await first.enqueue(checkout());
    await first.enqueue(checkout()); // the impatient double tap
    const lost = await first.replay();
    expect(lost).toMatchObject({ replayed: 0, stopped: true, remaining: 2 });
    expect(reachedDjango).toBe(1);

    // The next worker replays both entries with the same key: the first answer, twice.
    const answers: Response[] = [];
    const next = orderSync(async (input) => {
      const response = await fetch(input as Request);
      answers.push(response.clone());
      return response;
    });
    const replay = await next.replay();
    expect(replay).toMatchObject({ replayed: 2, rejected: 0, remaining: 0, stopped: false });
    expect(answers.map((r) => [r.status, r.headers.get('idempotent-replayed')])).toEqual([
      [201, 'true'],
      [201, 'true'],
    ]);
    const booked = await stack.control<{ order_ids: string[] }>('orders/');
    expect(booked.order_ids.sort()).toEqual([...orderIds].sort());
    expect((await next.status()).rejected).toEqual([]);
  });
});
