import 'fake-indexeddb/auto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Order } from '@kitchen-sync/protocol';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createKitchenFeed } from '../../src/feed/kitchenFeed.js';
import { makeOrder } from '../unit/fakes/orders.js';
import { relayOutbox, relaySocket } from './relayClients.js';
import { kill, requireBuiltRelay, startRelay, token } from './relayProcess.js';

// The audit's replacement PC: a copy of the data dir taken at order 10, five more orders
// shown in the kitchen, the PC dies, the copy goes onto a new PC. Its five new orders get seqs
// 11-15 again, and the kitchen, back with cursor 15 of the same epoch, showed none of them.

const stoppers: Array<{ stop(): void }> = [];
let root = '';

afterEach(() => {
  for (const s of stoppers.splice(0)) s.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('a data dir copied onto a replacement PC', () => {
  it('makes the kitchen show the orders the new PC logged at seqs it had seen', async () => {
    requireBuiltRelay();
    root = mkdtempSync(join(tmpdir(), 'ks-replacement-pc-'));
    const secretFile = join(root, 'secret');
    writeFileSync(secretFile, 's'.repeat(48), { mode: 0o600 });
    const oldPc = join(root, 'old-pc', 'data');
    const newPc = join(root, 'new-pc', 'data');
    const copy = join(root, 'copy');
    let relay = await startRelay(oldPc, secretFile);
    const url = relay.url;

    const posToken = await token(secretFile, 'pos', 'pos-1');
    const posSocket = relaySocket(stoppers, url, posToken, 'pos-1');
    const pos = relayOutbox(stoppers, posSocket, url, posToken);
    posSocket.start();
    const kitchenToken = await token(secretFile, 'kitchen', 'kds-1');
    const feed = createKitchenFeed({
      indexedDB: new IDBFactory(),
      tenants: [1],
      playSound: () => {},
      notify: () => {},
    });
    stoppers.push(feed);
    const kitchen = relaySocket(stoppers, url, kitchenToken, 'kds-1', feed);
    feed.connect(kitchen);
    await feed.ready;
    kitchen.start();

    const submit = async (count: number, prefix: string) => {
      const orders: Order[] = [];
      for (let i = 1; i <= count; i++) {
        const order = makeOrder({ order_number: `${prefix}-${i}` });
        orders.push(order);
        await pos.submit(order);
      }
      await vi.waitFor(() => expect(pos.pending.get()).toEqual([]), { timeout: 10_000 });
      return orders;
    };
    const shown = () => new Set(feed.orders.get().map((o) => o.order_number));

    await submit(10, 'morning');
    await vi.waitFor(() => expect(shown().size).toBe(10), { timeout: 10_000 });
    // Quiet now: a copy of the whole dir, relay.db.lock and its mark of seq 10 included.
    cpSync(oldPc, copy, { recursive: true });
    await submit(5, 'lunch');
    await vi.waitFor(() => expect(shown().size).toBe(15), { timeout: 10_000 });

    kitchen.stop();
    await kill(relay);
    mkdirSync(join(root, 'new-pc'));
    cpSync(copy, newPc, { recursive: true });
    relay = await startRelay(newPc, secretFile, relay.port);

    const afternoon = await submit(5, 'afternoon');
    kitchen.start();
    await vi.waitFor(
      () => {
        for (const order of afternoon) expect(shown()).toContain(order.order_number);
      },
      { timeout: 15_000, interval: 50 },
    );
    expect(kitchen.status.get().localConnected).toBe(true);
    // The relay writes its log in batches: the line reaches its stderr a moment later.
    await vi.waitFor(
      () => expect(relay.stderr()).toMatch(/"code":"log_went_back".*relay\.db is not the file/),
      { timeout: 5_000, interval: 50 },
    );
  }, 60_000);
});
