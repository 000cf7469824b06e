import 'fake-indexeddb/auto';
import { copyFileSync, cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Order } from '@kitchen-sync/protocol';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createKitchenFeed } from '../../src/feed/kitchenFeed.js';
import type { OrderOutbox } from '../../src/outbox/orderOutbox.js';
import { makeOrder } from '../unit/fakes/orders.js';
import { relayOutbox, relaySocket } from './relayClients.js';
import { kill, requireBuiltRelay, startRelay, token } from './relayProcess.js';

// A copy of the running relay's data dir taken at order 10, more orders shown in the kitchen,
// then the copy put back over the same files (same inodes, its relay.db.lock with the mark of
// the copy's moment): nothing tells at start. New orders take the seqs again, past the
// kitchen's cursor this time, so no cursor is ahead of the head. Only the event the kitchen
// applied at its cursor (since_event) shows the log went back. A tenant-scoped kitchen (a food
// court's stall) has its cursor at another tenant's event after a reconnect: caught_up names
// that event's id, so the proof holds there too.

const stoppers: Array<{ stop(): void }> = [];
let root = '';

afterEach(() => {
  for (const s of stoppers.splice(0)) s.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** A till: its socket (no cursor kept from before, it shows no orders) and its outbox. */
function till(url: string, tok: string): OrderOutbox {
  const socket = relaySocket(stoppers, url, tok, 'pos-1');
  const box = relayOutbox(stoppers, socket, url, tok);
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

interface Scenario {
  /** The orders after the copy: the kitchen's own, then another tenant's (seqs 11..15). */
  lunch: number;
  otherStall: number;
  /** A Wi-Fi blip after them: caught_up, not an applied event, moves the cursor to 15. */
  reconnect: boolean;
}

async function restoredInPlace({ lunch, otherStall, reconnect }: Scenario) {
  requireBuiltRelay();
  root = mkdtempSync(join(tmpdir(), 'ks-restored-in-place-'));
  const secretFile = join(root, 'secret');
  writeFileSync(secretFile, 's'.repeat(48), { mode: 0o600 });
  const dataDir = join(root, 'data');
  const copy = join(root, 'copy');
  let relay = await startRelay(dataDir, secretFile);
  const url = relay.url;

  const posToken = await token(secretFile, 'pos', 'pos-1');
  let pos = till(url, posToken);
  // token() scopes a kitchen to tenant 1.
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
  await submit(lunch, 'lunch');
  await submit(otherStall, 'other-stall', 2);
  await vi.waitFor(() => expect(shown().size).toBe(10 + lunch), { timeout: 10_000 });
  if (reconnect) {
    kitchen.stop();
    kitchen.start();
  }
  await vi.waitFor(() => expect(feed.cursor.get().since).toBe(15), { timeout: 10_000 });
  const cursor = feed.cursor.get();
  expect(cursor.since_event).toEqual(expect.any(String));

  kitchen.stop();
  for (const s of stoppers.splice(0)) if (s !== feed && s !== kitchen) s.stop();
  await kill(relay);
  restoreInPlace(copy, dataDir);
  relay = await startRelay(dataDir, secretFile, relay.port);
  expect(await head()).toBe(10);

  // Past the kitchen's cursor: it is not ahead of the head any more. Without the proof the
  // kitchen resumes after 15 and catches up with only 16 and 17.
  pos = till(url, posToken);
  const afternoon = await submit(7, 'afternoon');
  expect(await head()).toBe(17);
  kitchen.start();
  await vi.waitFor(
    () => {
      for (const order of afternoon) expect(shown()).toContain(order.order_number);
    },
    { timeout: 15_000, interval: 50 },
  );
  expect(feed.cursor.get().epoch).not.toBe(cursor.epoch);
  // The relay's log reaches its stderr a moment later.
  await vi.waitFor(
    () =>
      expect(relay.stderr()).toMatch(/"code":"log_went_back".*"device":"kds-1".*had applied event/),
    { timeout: 5_000, interval: 50 },
  );
  expect(relay.stderr()).not.toMatch(/relay\.db is not the file|relay\.db is behind/);
}

describe('a data dir restored in place from a copy taken while the relay ran', () => {
  it(
    'makes the kitchen show the orders the restored log gave seqs it had applied',
    () => restoredInPlace({ lunch: 5, otherStall: 0, reconnect: false }),
    60_000,
  );

  it(
    "makes a tenant-scoped kitchen whose cursor is at another tenant's event show them",
    () => restoredInPlace({ lunch: 4, otherStall: 1, reconnect: true }),
    60_000,
  );
});
