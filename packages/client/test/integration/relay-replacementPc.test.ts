import 'fake-indexeddb/auto';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Order } from '@kitchen-sync/protocol';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createKitchenFeed, type KitchenFeed } from '../../src/feed/kitchenFeed.js';
import { createOrderOutbox, type OrderOutbox } from '../../src/outbox/orderOutbox.js';
import { createSocketService } from '../../src/socket/socketService.js';
import type { SocketService } from '../../src/socket/types.js';
import { makeOrder } from '../unit/fakes/orders.js';

// The audit's replacement PC: a copy of the data dir taken at order 10, five more orders
// shown in the kitchen, the PC dies, the copy goes onto a new PC. Its five new orders get seqs
// 11-15 again, and the kitchen, back with cursor 15 of the same epoch, showed none of them.

const CLI = fileURLToPath(new URL('../../../relay/dist/cli.js', import.meta.url));
const READY = /kitchen-sync-relay listening on (http:\/\/\S+)/;
const FAST = { min: 50, max: 800, jitter: 0.3 };

interface Relay {
  url: string;
  port: number;
  stderr: () => string;
  child: ChildProcess;
}

const children = new Set<ChildProcess>();
const stoppers: Array<{ stop(): void }> = [];
let root = '';

afterEach(() => {
  for (const s of stoppers.splice(0)) s.stop();
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  children.clear();
  if (root) rmSync(root, { recursive: true, force: true });
});

function startRelay(dataDir: string, secretFile: string, port = 0): Promise<Relay> {
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir].concat([
      '--secret-file',
      secretFile,
    ]),
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(child);
  let out = '';
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay not ready: ${err}`)), 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = READY.exec(out)?.[1];
      if (!url) return;
      clearTimeout(timer);
      resolve({ url, port: Number(new URL(url).port), stderr: () => err, child });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`relay exited with ${code}: ${err}`));
    });
  });
}

function kill(relay: Relay): Promise<void> {
  return new Promise((resolve) => {
    relay.child.once('exit', () => resolve());
    relay.child.kill('SIGKILL');
  });
}

function token(secretFile: string, role: string, sub: string): Promise<string> {
  const args = [CLI, 'token', '--secret-file', secretFile, '--role', role, '--outlet', '1'];
  args.push('--sub', sub, '--ttl', '1h');
  if (role === 'kitchen') args.push('--tenant', '1');
  return new Promise((resolve, reject) =>
    execFile(process.execPath, args, (error, stdout) =>
      error ? reject(error) : resolve(stdout.trim()),
    ),
  );
}

function service(url: () => string, tok: string, clientId: string, feed?: KitchenFeed) {
  const socket: SocketService = createSocketService({
    outletId: 1,
    relayUrl: url(),
    token: tok,
    clientId,
    reconnect: FAST,
    ...(feed ? { cursor: feed.cursor } : {}),
  });
  stoppers.push(socket);
  return socket;
}

function outbox(socket: SocketService, url: string, tok: string): OrderOutbox {
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
  return box;
}

describe('a data dir copied onto a replacement PC', () => {
  it('makes the kitchen show the orders the new PC logged at seqs it had seen', async () => {
    if (!existsSync(CLI))
      throw new Error(`${CLI} is missing: pnpm --filter @kitchen-sync/relay build`);
    root = mkdtempSync(join(tmpdir(), 'ks-replacement-pc-'));
    const secretFile = join(root, 'secret');
    writeFileSync(secretFile, 's'.repeat(48), { mode: 0o600 });
    const oldPc = join(root, 'old-pc', 'data');
    const newPc = join(root, 'new-pc', 'data');
    const copy = join(root, 'copy');
    let relay = await startRelay(oldPc, secretFile);
    const url = relay.url;

    const posToken = await token(secretFile, 'pos', 'pos-1');
    const posSocket = service(() => url, posToken, 'pos-1');
    const pos = outbox(posSocket, url, posToken);
    posSocket.start();
    const kitchenToken = await token(secretFile, 'kitchen', 'kds-1');
    const feed = createKitchenFeed({
      indexedDB: new IDBFactory(),
      tenants: [1],
      playSound: () => {},
      notify: () => {},
    });
    stoppers.push(feed);
    const kitchen = service(() => url, kitchenToken, 'kds-1', feed);
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
    expect(relay.stderr()).toMatch(/"code":"log_went_back".*relay\.db is not the file/);
  }, 60_000);
});
