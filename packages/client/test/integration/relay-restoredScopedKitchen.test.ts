import 'fake-indexeddb/auto';
import { copyFileSync, cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Order } from '@kitchen-sync/protocol';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createKitchenFeed, type KitchenFeed } from '../../src/feed/kitchenFeed.js';
import { createOrderOutbox, type OrderOutbox } from '../../src/outbox/orderOutbox.js';
import { createSocketService } from '../../src/socket/socketService.js';
import type { SocketService } from '../../src/socket/types.js';
import { makeOrder } from '../unit/fakes/orders.js';
import { kill, requireBuiltRelay, startRelay, token } from './relayProcess.js';

// A copy of the running relay's data dir taken at order 10, more orders shown in the kitchen,
// then the copy put back over the same files (same inodes, its relay.db.lock with the mark of
// the copy's moment): nothing tells at start. New orders take the seqs again, past the
// kitchen's cursor this time, so no cursor is ahead of the head. Only the event the kitchen
// applied at its cursor (since_event) shows the log went back.

const FAST = { min: 50, max: 800, jitter: 0.3 };

const stoppers: Array<{ stop(): void }> = [];
let root = '';

afterEach(() => {
  for (const s of stoppers.splice(0)) s.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

function service(url: string, tok: string, clientId: string, feed?: KitchenFeed) {
  const socket: SocketService = createSocketService({
    outletId: 1,
    relayUrl: url,
    token: tok,
    clientId,
    reconnect: FAST,
    ...(feed ? { cursor: feed.cursor } : {}),
  });
  stoppers.push(socket);
  return socket;
}

/** A till: its socket (no cursor kept from before, it shows no orders) and its outbox. */
function till(url: string, tok: string): OrderOutbox {
  const socket = service(url, tok, 'pos-1');
  const box = createOrderOutbox({
    indexedDB: new IDBFactory(),
    socket,
    relayUrl: url,
    token: tok,
    locks: null,
    channel: null,
    backoff: FAST,
  });
  stoppers.push(box);
  socket.start();
  return box;
}

/** Back over the same files, as a restore from a backup does; what the copy lacks goes. */
function restoreInPlace(copy: string, dataDir: string) {
  const copied = new Set(readdirSync(copy));
  for (const name of readdirSync(dataDir)) {
    if (!copied.has(name)) rmSync(join(dataDir, name), { force: true });
  }
  for (const name of copied) copyFileSync(join(copy, name), join(dataDir, name));
  // SQLite's shared-memory index is rebuilt from relay.db-wal; the copy's would be stale.
  rmSync(join(dataDir, 'relay.db-shm'), { force: true });
}

describe("a tenant-scoped kitchen whose cursor is at another tenant's event", () => {
  it('shows the orders the restored log gave seqs it had passed', async () => {
    requireBuiltRelay();
    root = mkdtempSync(join(tmpdir(), 'ks-scoped-restore-'));
    const secretFile = join(root, 'secret');
    writeFileSync(secretFile, 's'.repeat(48), { mode: 0o600 });
    const dataDir = join(root, 'data');
    const copy = join(root, 'copy');
    let relay = await startRelay(dataDir, secretFile);
    const url = relay.url;
    const posToken = await token(secretFile, 'pos', 'pos-1');
    let pos = till(url, posToken);
    // token() scopes a kitchen to tenant 1 (a food-court stall).
    const kitchenToken = await token(secretFile, 'kitchen', 'kds-1');
    const feed = createKitchenFeed({
      indexedDB: new IDBFactory(),
      tenants: [1],
      playSound: () => {},
      notify: () => {},
    });
    stoppers.push(feed);
    const kitchen = service(url, kitchenToken, 'kds-1', feed);
    feed.connect(kitchen);
    await feed.ready;
    kitchen.start();
    const submit = async (count: number, prefix: string, tenant = 1) => {
      const orders: Order[] = [];
      for (let i = 1; i <= count; i++) {
        const order = makeOrder({ order_number: `${prefix}-${i}`, tenant_id: tenant });
        orders.push(order);
        await pos.submit(order);
      }
      await vi.waitFor(() => expect(pos.pending.get()).toEqual([]), { timeout: 10_000 });
      return orders;
    };
    const shown = () => new Set(feed.orders.get().map((o) => o.order_number));
    const head = async () =>
      ((await (await fetch(`${url}/health`)).json()) as { head_seq: number }).head_seq;

    await submit(10, 'morning');
    await vi.waitFor(() => expect(shown().size).toBe(10), { timeout: 10_000 });
    cpSync(dataDir, copy, { recursive: true });
    await submit(4, 'lunch');
    await submit(1, 'other-stall', 2); // seq 15: another tenant's order
    await vi.waitFor(() => expect(shown().size).toBe(14), { timeout: 10_000 });
    // A Wi-Fi blip: the kitchen reconnects; caught_up moves its cursor to the head (15).
    kitchen.stop();
    kitchen.start();
    await vi.waitFor(() => expect(feed.cursor.get().since).toBe(15), { timeout: 10_000 });
    // The head is the other stall's order, never sent here: caught_up named its id.
    expect(feed.cursor.get().since_event).toEqual(expect.any(String));

    kitchen.stop();
    for (const s of stoppers.splice(0)) if (s !== feed && s !== kitchen) s.stop();
    await kill(relay);
    restoreInPlace(copy, dataDir);
    relay = await startRelay(dataDir, secretFile, relay.port);
    expect(await head()).toBe(10);
    pos = till(url, posToken);
    const afternoon = await submit(7, 'afternoon'); // seqs 11..17, tenant 1
    expect(await head()).toBe(17);
    kitchen.start();
    // Without the proof the kitchen resumes after 15 and catches up with only 16 and 17.
    await vi.waitFor(
      () => {
        for (const order of afternoon) expect(shown()).toContain(order.order_number);
      },
      { timeout: 10_000 },
    );
  }, 60_000);
});
