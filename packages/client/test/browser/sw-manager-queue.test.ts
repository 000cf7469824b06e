import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Kiosk, startKiosk } from './kiosk.js';

let kiosk: Kiosk;

beforeEach(async () => {
  kiosk = await startKiosk();
});

afterEach(async () => {
  await kiosk?.close();
});

describe('ServiceWorkerManager.queue after a reload', () => {
  it('shows the orders waiting in the worker without waiting for the next change', async () => {
    kiosk.server.backend.down = true;
    for (const n of [1, 2, 3]) expect((await kiosk.place(n)).status).toBe(202);
    await kiosk.page.waitForFunction(() => globalThis.ks.manager.queue.get()?.pending === 3, null, {
      timeout: 15_000,
    });

    await kiosk.reload();
    // Nothing changes in the queue from here on: the page must ask for it.
    await kiosk.page.waitForFunction(() => globalThis.ks.manager.queue.get() !== null, null, {
      timeout: 15_000,
    });
    expect(await kiosk.page.evaluate(() => globalThis.ks.manager.queue.get())).toEqual({
      pending: 3,
      rejected: 0,
    });
    expect(await kiosk.page.evaluate(() => globalThis.ks.queueEvents)).toEqual([
      { pending: 3, rejected: 0 },
    ]);
  });
});
