import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deviceKey } from '../src/auth/deviceKey.js';
import type { Principal } from '../src/auth/principal.js';
import { CliError, HELP, parseCli } from '../src/cliOptions.js';
import { createSqliteEventStore } from '../src/index.js';
import { createDeviceSlots } from '../src/lib/deviceSlots.js';
import {
  client,
  connected,
  http,
  order,
  refusal,
  refusalError,
  SECRET,
  startRelay,
  startTransport,
  type TestRelay,
  tokenFor,
} from './helpers.js';

let t: TestRelay | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const kitchenOf = (sub: string, tenants: Array<string | number> = [3]) =>
  tokenFor('kitchen', { sub, tenants });

/** How often /metrics says a device was refused at its cap, by transport. */
async function refusals(url: string): Promise<Record<string, number>> {
  const text = (await http(url, '/metrics')).body as string;
  const counts: Record<string, number> = {};
  for (const [, transport, n] of text.matchAll(
    /^kitchen_sync_device_cap_refusals_total\{transport="(\w+)"\} (\d+)$/gm,
  )) {
    counts[transport!] = Number(n);
  }
  return counts;
}

describe('per-device socket cap', () => {
  it('refuses a device over its cap with rate_limited, saying so; other devices connect', async () => {
    t = await startRelay({ maxConnections: 100, maxConnectionsPerDevice: 2 });
    const token = await kitchenOf('kds-grill');
    await connected(t.url, { token });
    await connected(t.url, { token });
    const refused = await refusalError(t.url, { token });
    expect(refused.message).toBe('rate_limited');
    expect(refused.data).toEqual({ code: 'rate_limited', message: expect.any(String) });
    // The device is its sub, not its token: a fresh token for the same screen counts too.
    expect(await refusal(t.url, { token: await kitchenOf('kds-grill') })).toBe('rate_limited');
    // Another screen, and a same-named screen of another brand, are other devices.
    const other = await connected(t.url, { token: await kitchenOf('kds-bar') });
    const otherBrand = await connected(t.url, { token: await kitchenOf('kds-grill', [4]) });
    expect([other.socket.connected, otherBrand.socket.connected]).toEqual([true, true]);
    expect(await refusals(t.url)).toEqual({ socket: 2, poll: 0 });
    // The relay is still up and serving.
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    expect(await pos.request('order:publish', order())).toMatchObject({ ok: true, seq: 1 });
  });

  it('gives the slot back when a connection closes: the device connects again', async () => {
    t = await startRelay({ maxConnectionsPerDevice: 2 });
    const token = await kitchenOf('kds-grill');
    const first = await connected(t.url, { token });
    await connected(t.url, { token });
    expect(await refusal(t.url, { token })).toBe('rate_limited');
    // A monitor watches kitchens: the relay gives the slot back before it announces the leave.
    const monitor = await connected(t.url, { token: await tokenFor('monitor') });
    first.close();
    await monitor.waitFor(() =>
      monitor.presence().some((e) => (e.data as { status: string }).status === 'disconnected'),
    );
    const again = await connected(t.url, { token });
    expect(again.socket.connected).toBe(true);
  });

  it('keeps 32 connections of one device by default and refuses the 33rd', async () => {
    t = await startRelay();
    const token = await kitchenOf('kds-many-tabs');
    const tabs = await Promise.all(Array.from({ length: 32 }, () => connected(t!.url, { token })));
    expect(tabs.every((tab) => tab.socket.connected)).toBe(true);
    expect(await refusal(t.url, { token })).toBe('rate_limited');
  });

  it('has no per-device cap at 0, and none for token-less clients under --insecure-no-auth', async () => {
    t = await startRelay({ maxConnectionsPerDevice: 0 });
    const token = await kitchenOf('kds-grill');
    await connected(t.url, { token });
    await connected(t.url, { token });
    await connected(t.url, { token });
    await t.close();
    t = await startRelay({ insecureNoAuth: true, maxConnectionsPerDevice: 1 });
    await connected(t.url, { client_id: 'demo' });
    const second = await connected(t.url, { client_id: 'demo' });
    expect(second.socket.connected).toBe(true);
  });

  it('counts a burst of one device’s handshakes as their verifications end', async () => {
    let arrived = 0;
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    const own = await startTransport({
      maxConnectionsPerDevice: 2,
      // Every verification waits until all six handshakes reached the relay.
      verify: async (token) => {
        arrived += 1;
        if (arrived === 6) openGate();
        await gate;
        return { sub: token!, role: 'kitchen', outletId: 1, outlet: '1', tenants: null };
      },
    });
    try {
      const outcome = (token: string) => {
        const c = client(own.url, { token });
        return new Promise<string>((resolve) => {
          c.socket.once('connect', () => resolve('connected'));
          c.socket.once('connect_error', (error) => resolve(error.message));
        });
      };
      const outcomes = await Promise.all([
        ...Array.from({ length: 5 }, () => outcome('kds-loop')),
        outcome('kds-other'),
      ]);
      expect(outcomes.slice(0, 5).sort()).toEqual([
        'connected',
        'connected',
        'rate_limited',
        'rate_limited',
        'rate_limited',
      ]);
      expect(outcomes[5]).toBe('connected');
    } finally {
      await own.close();
    }
  });

  it('takes no slot for a handshake that closed while its token was verifying', async () => {
    let verifying!: () => void;
    const verifyStarted = new Promise<void>((resolve) => {
      verifying = resolve;
    });
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    let gated = true;
    const own = await startTransport({
      maxConnectionsPerDevice: 1,
      verify: async () => {
        if (gated) {
          gated = false;
          verifying();
          await gate;
        }
        return { sub: 'kds-1', role: 'kitchen', outletId: 1, outlet: '1', tenants: null };
      },
    });
    try {
      const closedOnRelay = new Promise<void>((resolve) =>
        own.transport.io.engine.once(
          'connection',
          (conn: { once: (e: string, f: () => void) => void }) =>
            conn.once('close', () => resolve()),
        ),
      );
      const gaveUp = client(own.url, { token: 'x' });
      await verifyStarted;
      gaveUp.close();
      await closedOnRelay;
      openGate();
      // Its verification ends after the close: the device's one slot must still be free.
      const next = client(own.url, { token: 'x' });
      await new Promise<void>((resolve, reject) => {
        next.socket.once('connect', () => resolve());
        next.socket.once('connect_error', reject);
      });
      expect(next.socket.connected).toBe(true);
    } finally {
      await own.close();
    }
  });
});

/** A SQLite log in its own temp dir; `pollRead` settles on the first read of events. */
function storeOnRead() {
  const dir = mkdtempSync(join(tmpdir(), 'ks-poll-'));
  const store = createSqliteEventStore({ dataDir: dir });
  let read!: () => void;
  const pollRead = new Promise<void>((resolve) => {
    read = resolve;
  });
  const watched = {
    ...store,
    eventsAfter: (...args: Parameters<typeof store.eventsAfter>) => {
      read();
      return store.eventsAfter(...args);
    },
  };
  return { store: watched, dir, pollRead };
}

describe('per-device long-poll cap', () => {
  it('refuses a device’s poll over its cap with 429 rate_limited; others wait; the slot comes back', async () => {
    const { store, dir, pollRead } = storeOnRead();
    t = await startRelay({ store, maxConnections: 100, maxConnectionsPerDevice: 1 });
    try {
      const url = t.url;
      const grill = await kitchenOf('kds-grill');
      const poll = (token: string, query: string) =>
        http(url, `/api/events?${query}`, { token, timeoutMs: 8_000 });
      // The read is synchronous: once it happened, the poll waits before the next request lands.
      const first = poll(grill, 'since=0&wait=30000');
      await pollRead;
      const second = await poll(grill, 'since=0&wait=30000');
      expect([second.status, second.body.error.code]).toEqual([429, 'rate_limited']);
      expect(second.body.error.message).toEqual(expect.any(String));
      expect(await refusals(url)).toEqual({ socket: 0, poll: 1 });
      const other = poll(await kitchenOf('kds-bar'), 'since=0&wait=30000');
      // The other device's poll is waiting (or answered with the order) rather than refused.
      await http(url, '/api/events', {
        token: await tokenFor('pos'),
        body: { type: 'order:publish', payload: order() },
      });
      const seqs = (res: { body: { events: Array<{ seq: number }> } }) =>
        res.body.events.map((e) => e.seq);
      expect(seqs(await first)).toEqual([1]);
      expect(seqs(await other)).toEqual([1]);
      // The first poll answered: the device may wait again (here until its own short wait ends).
      const again = await poll(grill, 'since=1&wait=100');
      expect([again.status, again.body.events]).toEqual([200, []]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('device slots', () => {
  it('holds at most max per device, takes each release once, and has no cap at 0', () => {
    const slots = createDeviceSlots(2);
    const a1 = slots.take('a');
    const a2 = slots.take('a');
    expect([a1, a2].every(Boolean)).toBe(true);
    expect(slots.take('a')).toBeNull();
    expect(slots.take('b')).not.toBeNull();
    a1!();
    a1!();
    expect(slots.take('a')).not.toBeNull();
    expect(slots.take('a')).toBeNull();
    const open = createDeviceSlots(0);
    expect(Array.from({ length: 50 }, () => open.take('a')).every(Boolean)).toBe(true);
  });

  it('names a device by its outlet, tenants (in any order) and sub', () => {
    const screen = (over: Partial<Principal> = {}): Principal => ({
      sub: 'kds-1',
      role: 'kitchen',
      outletId: 1,
      outlet: '1',
      tenants: ['3', '4'],
      ...over,
    });
    expect(deviceKey(screen({ tenants: ['4', '3'] }))).toBe(deviceKey(screen()));
    expect(deviceKey(screen({ role: 'pos' }))).toBe(deviceKey(screen()));
    for (const other of [
      { sub: 'kds-2' },
      { outlet: '2' },
      { tenants: ['3'] },
      { tenants: null },
    ]) {
      expect(deviceKey(screen(other))).not.toBe(deviceKey(screen()));
    }
  });
});

describe('--max-connections-per-device', () => {
  const serve = (argv: string[], env: Record<string, string> = {}) => {
    const parsed = parseCli(['serve', ...argv], { KS_SECRET: SECRET, ...env });
    if (parsed.command !== 'serve') throw new Error('not serve');
    return parsed.options.maxConnectionsPerDevice;
  };

  it('defaults to 32, takes a flag or KS_MAX_CONNECTIONS_PER_DEVICE, 0 = no cap', () => {
    expect(HELP).toMatch(/--max-connections-per-device N/);
    expect(serve([])).toBe(32);
    expect(serve(['--max-connections-per-device', '4'])).toBe(4);
    expect(serve([], { KS_MAX_CONNECTIONS_PER_DEVICE: '0' })).toBe(0);
    expect(serve(['--max-connections-per-device=2'], { KS_MAX_CONNECTIONS_PER_DEVICE: '9' })).toBe(
      2,
    );
  });

  it.each(['-1', 'many', 'NaN'])('refuses %s like the other numeric flags', (value) => {
    const flag = `--max-connections-per-device=${value}`;
    expect(() => serve([flag])).toThrow(CliError);
    expect(() => serve([flag])).toThrow(/--max-connections-per-device must be a number/);
  });
});
