import { afterEach, describe, expect, it } from 'vitest';
import { connected, order, startRelay, type TestRelay, tokenFor } from './helpers.js';
import { freshDatabaseUrl } from './sharedPostgres.js';

const relays: TestRelay[] = [];
afterEach(async () => {
  for (const r of relays.splice(0)) await r.close();
});

async function node(databaseUrl: string): Promise<TestRelay> {
  const relay = await startRelay({ store: 'postgres', databaseUrl });
  relays.push(relay);
  return relay;
}

describe('a board on another node of a PostgreSQL cluster', () => {
  it("gets the orders another node committed without the guests' data, a monitor with it", async () => {
    const url = await freshDatabaseUrl();
    const [a, b] = [await node(url), await node(url)];
    const board = await connected(b.url, { token: await tokenFor('board') });
    const monitor = await connected(b.url, { token: await tokenFor('monitor') });
    const pos = await connected(a.url, { token: await tokenFor('pos') });
    const o = order({
      display_number: 'A7',
      customer_name: 'Budi Santoso',
      customer_phone: '+62-811-5550',
      notes: 'ring the bell',
    });
    expect(await pos.request('order:publish', o)).toMatchObject({ ok: true });
    await board.waitFor(() => board.events().length === 1, 15_000);
    await monitor.waitFor(() => monitor.events().length === 1, 15_000);
    expect(board.events()[0]!.data).toMatchObject({ order_id: o.order_id, display_number: 'A7' });
    const boardText = JSON.stringify(board.received);
    for (const secret of ['Budi Santoso', '+62-811-5550', 'ring the bell', 'Nasi goreng']) {
      expect(boardText).not.toContain(secret);
    }
    expect(JSON.stringify(monitor.events())).toContain('Budi Santoso');
  });
});
