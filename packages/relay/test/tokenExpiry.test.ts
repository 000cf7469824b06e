import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CLOCK_TOLERANCE_S,
  EXPIRED_CONNECTION_GRACE_MS,
  MAX_TOKEN_LIFETIME_S,
} from '../src/auth/tokenExpiry.js';
import { signToken } from '../src/index.js';
import {
  connected,
  http,
  order,
  peek,
  refusal,
  refusalError,
  SECRET,
  startRelay,
  startTransport,
  type TestRelay,
  type TestTransport,
  tokenFor,
} from './helpers.js';

let relay: TestRelay | undefined;
let transport: TestTransport | undefined;
afterEach(async () => {
  await relay?.close();
  await transport?.close();
  relay = undefined;
  transport = undefined;
});

/** A relay whose clock the test moves. */
async function relayWithClock() {
  const clock = { ms: Date.now() };
  relay = await startRelay({ now: () => clock.ms });
  return { relay, clock };
}

const craft = (claims: { exp?: number; iat?: number }) => {
  let jwt = new SignJWT({ role: 'pos', outlet: 1 })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('pos-1');
  if (claims.exp !== undefined) jwt = jwt.setExpirationTime(claims.exp);
  if (claims.iat !== undefined) jwt = jwt.setIssuedAt(claims.iat);
  return jwt.sign(new TextEncoder().encode(SECRET));
};

const nowS = () => Math.floor(Date.now() / 1000);
// Past the tokens below (ttl 60 s, signed a moment ago) plus the clock tolerance.
const PAST_EXPIRY_MS = 60_000 + CLOCK_TOLERANCE_S * 1000 + 2_000;

describe('a token that expires on an open socket', () => {
  it('gets its commands refused with unauthorized, then the connection dropped after the grace', async () => {
    const { relay, clock } = await relayWithClock();
    const pos = await connected(relay.url, { token: await tokenFor('pos', { ttl: 60 }) });
    expect(await pos.request('order:publish', order())).toMatchObject({ ok: true });

    clock.ms = Date.now() + PAST_EXPIRY_MS;
    const o = order();
    expect(await pos.request('order:publish', o)).toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });
    // Within the grace the connection stays (live events still arrive); nothing was stored.
    expect(pos.socket.connected).toBe(true);
    expect(await peek(relay.relay, (s) => s.getOrder(o.order_id))).toBeUndefined();
    expect(await pos.request('ping')).toMatchObject({ ok: true });

    clock.ms += EXPIRED_CONNECTION_GRACE_MS;
    const dropped = new Promise<string>((resolve) => pos.socket.once('disconnect', resolve));
    expect(await pos.request('order:publish', order())).toMatchObject({
      error: { code: 'unauthorized' },
    });
    expect(await dropped).toBe('io server disconnect');
  });

  it('a kitchen update after expiry is refused too', async () => {
    const { relay, clock } = await relayWithClock();
    const pos = await connected(relay.url, { token: await tokenFor('pos') });
    const o = order();
    await pos.request('order:publish', o);
    const kds = await connected(relay.url, { token: await tokenFor('kitchen', { ttl: 60 }) });
    clock.ms = Date.now() + PAST_EXPIRY_MS;
    expect(
      await kds.request('order:update', { order_id: o.order_id, status: 'preparing' }),
    ).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await kds.request('order:ack', { order_id: o.order_id })).toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });
    expect((await peek(relay.relay, (s) => s.getOrder(o.order_id)))?.state.status).toBe('pending');
  });

  it('a quiet connection (one that only listens) is dropped by the sweep', async () => {
    let nowMs = Date.now();
    transport = await startTransport({
      now: () => nowMs,
      expirySweepMs: 20,
      verify: async () => ({
        sub: 'kds',
        role: 'kitchen',
        outletId: 1,
        outlet: '1',
        tenants: null,
        expiresAtMs: nowMs + 1000,
      }),
    });
    const kds = await connected(transport.url, { token: 'checked by the stub' });
    const dropped = new Promise<string>((resolve) => kds.socket.once('disconnect', resolve));
    nowMs += 1000 + CLOCK_TOLERANCE_S * 1000 + EXPIRED_CONNECTION_GRACE_MS;
    expect(await dropped).toBe('io server disconnect');
  });

  it('HTTP publish and poll with an expired token answer 401 unauthorized', async () => {
    const { relay, clock } = await relayWithClock();
    const token = await tokenFor('pos', { ttl: 60 });
    const body = { type: 'order:publish', payload: order() };
    expect((await http(relay.url, '/api/events', { token, body })).status).toBe(200);
    clock.ms = Date.now() + PAST_EXPIRY_MS;
    const publish = await http(relay.url, '/api/events', {
      token,
      body: { type: 'order:publish', payload: order() },
    });
    expect(publish.status).toBe(401);
    expect(publish.body.error.code).toBe('unauthorized');
    const poll = await http(relay.url, '/api/events?since=0', { token });
    expect(poll.status).toBe(401);
    expect(poll.body.error.code).toBe('unauthorized');
  });
});

describe('token lifetimes are capped', () => {
  it.each([
    ['exp 401 days ahead', () => craft({ exp: nowS() + MAX_TOKEN_LIFETIME_S + 86_400 })],
    ['exp 1e300', () => craft({ exp: 1e300 })],
    ['iat a century ahead', () => craft({ exp: nowS() + 3600, iat: nowS() + 100 * 365 * 86_400 })],
    ['exp before iat', () => craft({ exp: nowS() + 3600, iat: nowS() + 7200 })],
  ])('refuses %s, by socket and by HTTP', async (_name, make) => {
    relay = await startRelay();
    const token = await make();
    expect(await refusal(relay.url, { token })).toBe('unauthorized');
    const answer = await http(relay.url, '/api/events', {
      token,
      body: { type: 'order:publish', payload: order() },
    });
    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe('unauthorized');
  });

  // A relay whose clock is 7 minutes slow: every fresh token is "issued in the future" again,
  // so refusing them locked every device out for good.
  it('accepts 400 days, and an iat minutes ahead (the relay clock behind the issuer)', async () => {
    relay = await startRelay();
    for (const token of [
      await craft({ exp: nowS() + MAX_TOKEN_LIFETIME_S - 60 }),
      await craft({ exp: nowS() + 3600, iat: nowS() + 240 }),
      await craft({ exp: nowS() + 420 + 30 * 86_400, iat: nowS() + 420 }),
    ]) {
      const pos = await connected(relay.url, { token });
      expect(await pos.request('order:publish', order())).toMatchObject({ ok: true });
      pos.close();
    }
  });

  it('signToken refuses a ttl over the maximum', async () => {
    const claims = { sub: randomUUID(), role: 'pos' as const, outlet: 1 };
    await expect(signToken(SECRET, claims, '401d')).rejects.toMatchObject({
      code: 'invalid_payload',
    });
    await expect(signToken(SECRET, claims, '400d')).resolves.toMatch(/^ey/);
  });

  it('signToken refuses a token longer than a socket handshake takes', async () => {
    const tenants = Array.from({ length: 1000 }, (_, i) => i + 1);
    await expect(
      signToken(SECRET, { sub: 'board', role: 'monitor', outlet: 1, tenants }),
    ).rejects.toMatchObject({ code: 'invalid_payload', message: /at most 4096/ });
  });

  it("says when the relay's clock is behind the issuer's, by socket and by HTTP", async () => {
    relay = await startRelay();
    // A PC that booted in 2001 (dead CMOS battery, no NTP in an outage), a token minted now.
    const behind = 25 * 365 * 86_400;
    const token = await craft({ iat: nowS() + behind, exp: nowS() + behind + 30 * 86_400 });
    const { data } = await refusalError(relay.url, { token });
    expect(data).toMatchObject({ code: 'unauthorized' });
    expect(data?.message).toMatch(/relay's clock .* is behind the token's issuer/);
    const poll = await http(relay.url, '/api/events?since=0', { token });
    expect(poll.status).toBe(401);
    expect(poll.body.error.message).toMatch(/set the relay machine's clock/);
  });
});
