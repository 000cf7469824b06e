import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EventsResponse, PublishAck } from '@kitchen-sync/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  buildExecutables,
  installAlone,
  killAllExes,
  removeDir,
  runExe,
  startExe,
} from './exeProcess.js';
import { client, closeClients, connected, http, order } from './helpers.js';
import { findWine, prepareWine, startUnderWine, stopWine } from './wine.js';

// Black-box tests of what `pnpm build:exe` produces: the Linux executable is run the way
// an outlet runs it, the Windows one is checked as a PE file and started under Wine.
const SECRET = 'exe-test-secret-that-is-long-enough-32';
const SEA_FUSE_SET = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1';

let out: string;
const dirs: string[] = [];
beforeAll(() => {
  out = buildExecutables(['linux-x64', 'win-x64']);
}, 300_000);
afterAll(() => removeDir(out));
afterEach(() => {
  closeClients();
  killAllExes();
  for (const dir of dirs.splice(0)) removeDir(dir);
});

function linuxExe(): string {
  const exe = installAlone(join(out, 'linux-x64', 'kitchen-sync-relay'), 'kitchen-sync-relay');
  dirs.push(join(exe, '..', '..'));
  return exe;
}

/** A token minted by the executable itself. */
function mint(exe: string, role: string, extra: string[] = []): string {
  const result = runExe(exe, ['token', '--role', role, '--outlet', '1', ...extra], {
    KS_SECRET: SECRET,
  });
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trim();
}

describe('the Linux executable, alone in a directory', () => {
  it('serves on node:sqlite, delivers a published order and keeps it across a restart', async () => {
    const exe = linuxExe();
    const env = { KS_SECRET: SECRET, KS_DATA_DIR: join(exe, '..', 'data'), KS_LOG_LEVEL: 'warn' };
    const relay = await startExe(exe, [], env);
    expect((await http(relay.url, '/health')).body).toMatchObject({
      status: 'ok',
      store: 'sqlite',
      store_engine: 'node:sqlite',
    });
    const kitchen = await connected(relay.url, { token: mint(exe, 'kitchen') });
    const pos = await connected(relay.url, { token: mint(exe, 'pos') });
    const published = order();
    expect(await pos.request('order:publish', published)).toMatchObject({ ok: true, seq: 1 });
    await kitchen.waitFor(() => kitchen.events().length === 1);
    expect(kitchen.events()[0]).toMatchObject({ seq: 1, order_id: published.order_id });
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
    // The graceful stop checkpointed: relay.db alone holds the order.
    const again = await startExe(exe, [], env);
    expect((await http(again.url, '/health')).body.head_seq).toBe(1);
  });

  it('loses no acknowledged order when SIGKILLed mid-stream; kitchens resume from their cursor', async () => {
    const exe = linuxExe();
    const env = { KS_SECRET: SECRET, KS_DATA_DIR: join(exe, '..', 'data'), KS_LOG_LEVEL: 'warn' };
    const first = await startExe(exe, [], env);
    const pos = await connected(first.url, { token: mint(exe, 'pos') });
    const acked = new Map<string, number>();
    const total = 300;
    let killed = false;
    await new Promise<void>((resolve) => {
      let settled = 0;
      for (let i = 0; i < total; i++) {
        const o = order();
        pos.socket.timeout(5_000).emit('order:publish', o, (err: unknown, ack: PublishAck) => {
          if (!err && ack.ok) acked.set(o.order_id, ack.seq);
          if (!killed && acked.size >= 80) {
            killed = true;
            first.child.kill('SIGKILL');
          }
          if (++settled === total) resolve();
        });
      }
    });
    expect(await first.exited).toBe('SIGKILL');
    expect(acked.size).toBeGreaterThanOrEqual(80);

    const second = await startExe(exe, [], env);
    const admin = mint(exe, 'admin');
    const page = (await http(second.url, '/api/events?since=0&limit=1000', { token: admin }))
      .body as EventsResponse;
    const seqOf = new Map(page.events.map((e) => [e.order_id, e.seq]));
    for (const [orderId, seq] of acked) expect(seqOf.get(orderId)).toBe(seq);
    const head = page.events.length;
    const resumed = client(second.url, {
      token: mint(exe, 'kitchen'),
      since: 40,
      epoch: page.epoch,
    });
    await resumed.waitFor((r) => r.some((x) => x.name === 'sync:caught_up'));
    expect(resumed.events().map((e) => e.seq)).toEqual(
      Array.from({ length: head - 40 }, (_, i) => i + 41),
    );
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('refuses a token minted with another secret', async () => {
    const exe = linuxExe();
    const relay = await startExe(exe, [], {
      KS_SECRET: SECRET,
      KS_DATA_DIR: join(exe, '..', 'data'),
      KS_LOG_LEVEL: 'warn',
    });
    const other = runExe(exe, ['token', '--role', 'pos', '--outlet', '1'], {
      KS_SECRET: 'another-secret-that-is-long-enough-32',
    }).stdout.trim();
    const answer = await http(relay.url, '/api/events?since=0', { token: other });
    expect(answer.status).toBe(401);
  });
});

describe('the Windows executable', () => {
  it('is a PE32+ x64 program carrying the injected relay', () => {
    const exe = join(out, 'win-x64', 'kitchen-sync-relay.exe');
    const bytes = readFileSync(exe);
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('MZ');
    const pe = bytes.readUInt32LE(0x3c);
    expect(bytes.subarray(pe, pe + 4).toString('latin1')).toBe('PE\0\0');
    expect(bytes.readUInt16LE(pe + 4)).toBe(0x8664); // IMAGE_FILE_MACHINE_AMD64
    expect(bytes.readUInt16LE(pe + 24)).toBe(0x20b); // PE32+ optional header
    // postject flips Node's fuse to ":1" when it injects a blob; a plain node.exe has ":0".
    expect(bytes.includes(SEA_FUSE_SET)).toBe(true);
    // The blob holds the bundled relay's source.
    expect(bytes.includes('kitchen-sync-relay listening on')).toBe(true);
    expect(statSync(exe).size).toBeLessThan(150e6);
  });

  it('starts under Wine, answers /health, takes an order and stops', async () => {
    const wine = findWine();
    prepareWine(wine);
    const exe = installAlone(
      join(out, 'win-x64', 'kitchen-sync-relay.exe'),
      'kitchen-sync-relay.exe',
    );
    dirs.push(join(exe, '..', '..'));
    // A fixed loopback port: the ready line goes to a file under Wine, not to a pipe.
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const relay = startUnderWine(
      wine,
      exe,
      ['serve', '--host', '127.0.0.1', '--port', String(port)],
      { KS_SECRET: SECRET, KS_DATA_DIR: 'data', KS_LOG_LEVEL: 'warn' },
    );
    const url = `http://127.0.0.1:${port}`;
    try {
      const deadline = Date.now() + 90_000;
      let health: { status: number; body: Record<string, unknown> } | undefined;
      while (!health && Date.now() < deadline) {
        health = await http(url, '/health', { timeoutMs: 2_000 }).catch(() => undefined);
        if (!health) await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(health?.body, relay.output()).toMatchObject({
        status: 'ok',
        store_engine: 'node:sqlite',
      });
      const pos = await connected(url, { token: mint(linuxExe(), 'pos') });
      expect(await pos.request('order:publish', order())).toMatchObject({ ok: true, seq: 1 });
      expect(relay.output()).toContain(`listening on ${url}`);
    } finally {
      relay.child.kill('SIGKILL');
      stopWine(wine);
    }
    await relay.exited;
    expect(await http(url, '/health', { timeoutMs: 2_000 }).catch(() => 'stopped')).toBe('stopped');
  });
});
