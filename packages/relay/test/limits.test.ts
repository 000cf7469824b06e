import { afterEach, describe, expect, it } from 'vitest';
import { createKeyedRateLimiter } from '../src/lib/rateLimiter.js';
import {
  client,
  connected,
  http,
  order,
  refusal,
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

describe('limits', () => {
  it('rate-limits each connection and refills with time', async () => {
    // Refills by the monotonic clock (the wall clock also judges tokens: left real).
    let elapsed = 0;
    t = await startRelay({ rateLimit: 5, elapsed: () => elapsed });
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    const other = await connected(t.url, { token: await tokenFor('pos') });
    const answers = [];
    for (let i = 0; i < 7; i++) answers.push(await pos.request('order:publish', order()));
    expect(answers.map((a) => (a as { ok: boolean }).ok)).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(answers[5]).toMatchObject({ error: { code: 'rate_limited' } });
    expect(await other.request('order:publish', order())).toMatchObject({ ok: true });
    elapsed += 1_000;
    expect(await pos.request('order:publish', order())).toMatchObject({ ok: true, seq: 7 });
    expect(await t.relay.reader.countEvents()).toBe(7);
    expect(pos.socket.connected).toBe(true);
  });

  it('caps connections and accepts again when one leaves', async () => {
    t = await startRelay({ maxConnections: 2 });
    const token = await tokenFor('kitchen');
    const first = await connected(t.url, { token });
    // A monitor watches kitchens: it hears when the first one leaves.
    const second = await connected(t.url, { token: await tokenFor('monitor') });
    expect(await refusal(t.url, { token })).toBe('rate_limited');
    first.close();
    // The relay drops a socket from its count before it announces the kitchen's departure.
    await second.waitFor(() =>
      second.presence().some((e) => (e.data as { status: string }).status === 'disconnected'),
    );
    const again = await connected(t.url, { token });
    expect(again.socket.connected).toBe(true);
  });

  it('holds the cap while handshakes are still verifying their tokens', async () => {
    let verifying = 0;
    let refused = 0;
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    const settleWhenAllArrived = () => {
      if (verifying + refused === 6) openGate();
    };
    const own = await startTransport({
      maxConnections: 2,
      // Every verification waits until all six handshakes reached the relay.
      verify: async () => {
        verifying += 1;
        settleWhenAllArrived();
        await gate;
        return { sub: 'kds', role: 'kitchen', outletId: 1, outlet: '1', tenants: null };
      },
    });
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 6 }, () => {
          const c = client(own.url, { token: 'x' });
          return new Promise<string>((resolve) => {
            c.socket.once('connect', () => resolve('connected'));
            c.socket.once('connect_error', (error) => {
              refused += 1;
              settleWhenAllArrived();
              resolve(error.message);
            });
          });
        }),
      );
      expect(outcomes.filter((o) => o === 'connected')).toHaveLength(2);
      expect(outcomes.filter((o) => o === 'rate_limited')).toHaveLength(4);
    } finally {
      await own.close();
    }
  });

  it('honours a smaller --max-message-bytes', async () => {
    t = await startRelay({ maxMessageBytes: 2_000 });
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    expect(await pos.request('order:publish', order({ notes: 'x'.repeat(400) }))).toMatchObject({
      ok: true,
    });
    expect(
      await pos.request('order:publish', { ...order(), extra: 'x'.repeat(3_000) }),
    ).toMatchObject({ error: { code: 'too_large' } });
    expect(await t.relay.reader.countEvents()).toBe(1);
  });

  it('drops only the connection that sends a frame over 1 MiB; the relay stays up', async () => {
    t = await startRelay();
    const token = await tokenFor('pos');
    const big = await connected(t.url, { token });
    const other = await connected(t.url, { token });
    const dropped = new Promise<void>((resolve) => big.socket.once('disconnect', () => resolve()));
    big.socket.emit('order:publish', { ...order(), pad: 'x'.repeat(1_200_000) });
    await dropped;
    expect(await other.request('order:publish', order())).toMatchObject({ ok: true, seq: 1 });
    const fresh = await connected(t.url, { token });
    expect(await fresh.request('order:publish', order())).toMatchObject({ ok: true, seq: 2 });
    expect(await t.relay.reader.countEvents()).toBe(2);
  });
});

describe('HTTP rate limit', () => {
  it('limits each token, and each address when the token is missing or invalid', async () => {
    let elapsed = 0;
    t = await startRelay({ rateLimit: 3, elapsed: () => elapsed });
    const url = t.url;
    const pos = await tokenFor('pos');
    const statuses = async (n: number, path: string, token?: string) => {
      const out = [];
      for (let i = 0; i < n; i++) out.push((await http(url, path, token ? { token } : {})).status);
      return out;
    };
    expect(await statuses(4, '/api/events', pos)).toEqual([200, 200, 200, 429]);
    const limited = await http(url, '/api/events', {
      token: pos,
      body: { type: 'order:publish', payload: order() },
      headers: { origin: 'http://kiosk.local' },
    });
    expect([limited.status, limited.body.error.code]).toEqual([429, 'rate_limited']);
    expect(limited.headers['access-control-allow-origin']).toBe('*');
    expect(await t.relay.reader.countEvents()).toBe(0);
    expect(await statuses(1, '/api/events', await tokenFor('pos'))).toEqual([200]);
    expect(await statuses(4, '/metrics')).toEqual([200, 200, 200, 429]);
    // A made-up token does not buy a fresh allowance: it counts against the address.
    expect(await statuses(1, '/api/events', 'not-a-jwt')).toEqual([429]);
    // Terminals probe /health to tell "relay down" from "relay up": it is never limited.
    expect(await statuses(5, '/health')).toEqual([200, 200, 200, 200, 200]);
    elapsed += 1_000;
    expect(await statuses(1, '/api/events', pos)).toEqual([200]);
    expect(await statuses(1, '/metrics')).toEqual([200]);
  });
});

describe('keyed rate limiter', () => {
  it('keeps at most maxKeys buckets, dropping the least recently used', () => {
    const allow = createKeyedRateLimiter(1, () => 0, 2);
    expect([allow('a'), allow('a')]).toEqual([true, false]);
    expect([allow('b'), allow('a')]).toEqual([true, false]);
    // A third key pushes out 'b' (used before 'a'), then 'a' by a fourth: 'a' starts afresh.
    expect([allow('c'), allow('d'), allow('a')]).toEqual([true, true, true]);
  });
});
