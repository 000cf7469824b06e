import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Order, OrderState } from '@kitchen-sync/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killAll, startCli } from './cliProcess.js';
import { closeClients, connected, http, order, SECRET, tokenFor } from './helpers.js';

// The audit's case: a POS that never got its ack sends an order again after the relay finished
// it and retention removed it. The relay answered `duplicate: false` and the kitchen got the
// order a second time, as pending.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ks-retention-'));
});
afterEach(() => {
  closeClients();
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ KS_SECRET: SECRET, KS_DATA_DIR: join(dir, 'data'), KS_LOG_LEVEL: 'warn' });

interface PublishAck {
  ok: boolean;
  seq: number;
  duplicate: boolean;
}

describe('a relay process with --retention-events 20', () => {
  it('answers an order it finished and pruned, sent again, as a duplicate with its first seq, also after a restart', async () => {
    const relay = await startCli(['--retention-events', '20'], env());
    const pos = await connected(relay.url, { token: await tokenFor('pos', { sub: 'pos-1' }) });
    const kitchen = await connected(relay.url, {
      token: await tokenFor('kitchen', { sub: 'kit-1' }),
    });
    const orders: Order[] = [];
    for (let i = 1; i <= 12; i++) {
      const o = order({ order_number: `A-${i}` });
      orders.push(o);
      expect(await pos.request('order:publish', o)).toMatchObject({ ok: true });
      for (const status of ['preparing', 'ready', 'completed']) {
        expect(
          await kitchen.request('order:update', { order_id: o.order_id, status }),
        ).toMatchObject({ ok: true });
      }
    }
    const first = orders[0]!;
    const admin = await tokenFor('admin');
    // Retention by count runs as the log grows: A-1's four events are gone.
    const page = await http(relay.url, '/api/events?outlet_id=1&since=0&limit=1000', {
      token: admin,
    });
    const logged = (page.body as { events: Array<{ order_id?: string }> }).events;
    expect(logged.some((e) => e.order_id === first.order_id)).toBe(false);

    const again = await pos.request<PublishAck>('order:publish', first);
    expect(again).toEqual({ ok: true, seq: 1, duplicate: true });
    // The HTTP path answers the same.
    const posted = await http(relay.url, '/api/events', {
      method: 'POST',
      token: await tokenFor('pos', { sub: 'pos-1' }),
      body: { type: 'order:publish', payload: first },
    });
    expect(posted.body).toEqual({ ok: true, seq: 1, duplicate: true });
    const open = await http(relay.url, '/api/orders?outlet_id=1', { token: admin });
    expect((open.body as OrderState[]).filter((o) => o.status !== 'completed')).toEqual([]);
    expect((await http(relay.url, '/health')).body).toMatchObject({ head_seq: 48 });

    closeClients();
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
    const restarted = await startCli(['--retention-events', '20'], env());
    const till = await connected(restarted.url, {
      token: await tokenFor('pos', { sub: 'pos-1' }),
    });
    expect(await till.request<PublishAck>('order:publish', first)).toEqual({
      ok: true,
      seq: 1,
      duplicate: true,
    });
    expect((await http(restarted.url, '/health')).body).toMatchObject({ head_seq: 48 });
  });
});
