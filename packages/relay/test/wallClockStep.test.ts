import { afterEach, describe, expect, it } from 'vitest';
import { createKeyedRateLimiter, createRateLimiter } from '../src/lib/rateLimiter.js';
import { connected, http, order, startRelay, type TestRelay, tokenFor } from './helpers.js';

// NTP steps the relay PC's clock back 2 h while devices are connected: what is timed as a
// duration (rate limit refills, uptime) must go on as if nothing happened.
const STEP_BACK_MS = 2 * 3_600_000;

let t: TestRelay | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('a wall clock stepped back', () => {
  it('does not drain a rate limit bucket, even on a clock that runs backwards', () => {
    let at = 10_000_000;
    const allow = createRateLimiter(2, () => at);
    const allowKey = createKeyedRateLimiter(2, () => at);
    expect([allow(), allow(), allow()]).toEqual([true, true, false]);
    expect([allowKey('a'), allowKey('a'), allowKey('a')]).toEqual([true, true, false]);
    // Nothing is refilled by the step (the bucket was empty), nor owed for it: a second on, two.
    at -= STEP_BACK_MS;
    expect([allow(), allowKey('a')]).toEqual([false, false]);
    at += 1_000;
    expect([allow(), allow(), allow()]).toEqual([true, true, false]);
    expect([allowKey('a'), allowKey('a'), allowKey('a')]).toEqual([true, true, false]);
  });

  it('leaves an open socket and a token able to publish, and uptime counting up', async () => {
    // The wall clock stays near the real one, as tokens are signed with it.
    let wall = Date.now();
    let elapsed = 0;
    t = await startRelay({ rateLimit: 2, now: () => wall, elapsed: () => elapsed });
    const token = await tokenFor('pos');
    const pos = await connected(t.url, { token });
    const publish = { token, body: { type: 'order:publish', payload: order() } };
    expect(await pos.request('order:publish', order())).toMatchObject({ ok: true });
    expect((await http(t.url, '/api/events', publish)).status).toBe(200);
    elapsed += 5_000;
    wall += 5_000;
    expect((await http(t.url, '/health')).body.uptime).toBe(5);

    wall -= STEP_BACK_MS;
    elapsed += 1_000;
    expect(await pos.request('order:publish', order())).toMatchObject({ ok: true });
    expect(
      (
        await http(t.url, '/api/events', {
          ...publish,
          body: { ...publish.body, payload: order() },
        })
      ).status,
    ).toBe(200);
    expect((await http(t.url, '/health')).body.uptime).toBe(6);
  });
});
