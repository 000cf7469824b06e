import { LIMITS } from '@kitchen-sync/protocol';
import { SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signToken } from '../src/index.js';
import {
  connected,
  http,
  order,
  refusal,
  refusalError,
  SECRET,
  startRelay,
  type TestRelay,
  tokenFor,
} from './helpers.js';

let t: TestRelay;
beforeEach(async () => {
  t = await startRelay();
});
afterEach(async () => {
  await t.close();
});

describe('handshake refusals', () => {
  it.each([
    ['no token', async () => ({})],
    ['a malformed token', async () => ({ token: 'not-a-jwt' })],
    [
      'a token signed with another secret',
      async () => ({
        token: await signToken('another-secret-entirely', { sub: 'x', role: 'admin', outlet: 1 }),
      }),
    ],
    [
      'an expired token',
      async () => ({
        token: await new SignJWT({ role: 'pos', outlet: 1 })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('pos-1')
          .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
          .sign(new TextEncoder().encode(SECRET)),
      }),
    ],
    [
      'a token without exp',
      async () => ({
        token: await new SignJWT({ role: 'pos', outlet: 1 })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('pos-1')
          .sign(new TextEncoder().encode(SECRET)),
      }),
    ],
    [
      'a token with an unknown role',
      async () => ({
        token: await new SignJWT({ role: 'chef', outlet: 1 })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('x')
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(SECRET)),
      }),
    ],
  ])('refuses %s with unauthorized', async (_name, auth) => {
    expect(await refusal(t.url, await auth())).toBe('unauthorized');
    expect(await t.relay.reader.countEvents()).toBe(0);
  });

  it('refuses a token over the handshake cap with unauthorized, saying it is too long', async () => {
    // Signed by hand: signToken itself refuses to make a token this long.
    const tenants = Array.from({ length: 800 }, (_, i) => i + 1);
    const token = await new SignJWT({ role: 'monitor', outlet: 1, tenants })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('board')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
    expect(token.length).toBeGreaterThan(LIMITS.TOKEN_MAX_LENGTH);
    const error = await refusalError(t.url, { token });
    expect([error.message, error.data?.code]).toEqual(['unauthorized', 'unauthorized']);
    expect(error.data?.message).toMatch(/too long/);
    expect(error.data?.message).toContain(String(LIMITS.TOKEN_MAX_LENGTH));
  });

  it('refuses a malformed handshake auth with invalid_payload', async () => {
    expect(await refusal(t.url, { token: await tokenFor('pos'), since: -1 })).toBe(
      'invalid_payload',
    );
  });
});

describe('roles', () => {
  it('lets only pos and admin publish', async () => {
    for (const role of ['kitchen', 'monitor'] as const) {
      const c = await connected(t.url, { token: await tokenFor(role) });
      expect(await c.request('order:publish', order())).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
    }
    const admin = await connected(t.url, { token: await tokenFor('admin') });
    expect(await admin.request('order:publish', order())).toMatchObject({ ok: true, seq: 1 });
    expect(await t.relay.reader.countEvents()).toBe(1);
  });

  it('does not let a monitor update status', async () => {
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    const monitor = await connected(t.url, { token: await tokenFor('monitor') });
    const o = order();
    await pos.request('order:publish', o);
    expect(
      await monitor.request('order:update', { order_id: o.order_id, status: 'preparing' }),
    ).toMatchObject({ error: { code: 'forbidden' } });
  });

  it('serves /clients to admins only', async () => {
    await connected(t.url, {
      token: await tokenFor('kitchen', { sub: 'kds-1' }),
      client_id: 'kds-screen-1',
    });
    const none = await http(t.url, '/clients');
    expect([none.status, none.body.error.code]).toEqual([401, 'unauthorized']);
    const pos = await http(t.url, '/clients', { token: await tokenFor('pos') });
    expect([pos.status, pos.body.error.code]).toEqual([403, 'forbidden']);
    const admin = await http(t.url, '/clients', { token: await tokenFor('admin') });
    expect(admin.status).toBe(200);
    expect(admin.body.total).toBe(1);
    expect(admin.body.clients[0]).toMatchObject({
      client_id: 'kds-screen-1',
      role: 'kitchen',
      outlet: '1',
      transport: 'websocket',
    });
  });

  it('lists in /clients only the clients of the admin’s own outlet', async () => {
    await connected(t.url, { token: await tokenFor('kitchen', { outlet: 1 }), client_id: 'k-1' });
    await connected(t.url, { token: await tokenFor('kitchen', { outlet: 2 }), client_id: 'k-2' });
    const admin2 = await http(t.url, '/clients', { token: await tokenFor('admin', { outlet: 2 }) });
    expect(admin2.body.clients.map((c: { client_id: string }) => c.client_id)).toEqual(['k-2']);
    expect(admin2.body.total).toBe(1);
  });

  it('lists in /clients of a tenant-limited admin only the clients that see its tenants', async () => {
    await connected(t.url, {
      token: await tokenFor('kitchen', { tenants: [3] }),
      client_id: 'k-3',
    });
    await connected(t.url, {
      token: await tokenFor('kitchen', { tenants: [4] }),
      client_id: 'k-4',
    });
    await connected(t.url, {
      token: await tokenFor('monitor', { tenants: [4, 3] }),
      client_id: 'board-3-4',
    });
    await connected(t.url, { token: await tokenFor('monitor'), client_id: 'expo-all' });
    const ids = async (admin: string) =>
      (await http(t.url, '/clients', { token: admin })).body.clients
        .map((c: { client_id: string }) => c.client_id)
        .sort();
    expect(await ids(await tokenFor('admin', { tenants: [3] }))).toEqual([
      'board-3-4',
      'expo-all',
      'k-3',
    ]);
    expect(await ids(await tokenFor('admin'))).toEqual(['board-3-4', 'expo-all', 'k-3', 'k-4']);
  });

  it('reads the Bearer scheme in any case, as HTTP defines it', async () => {
    const token = await tokenFor('kitchen');
    const res = await http(t.url, '/api/events', { headers: { authorization: `bearer ${token}` } });
    expect(res.status).toBe(200);
  });

  it('refuses HTTP requests with a forged token', async () => {
    const forged = await signToken('another-secret-entirely', {
      sub: 'x',
      role: 'admin',
      outlet: 1,
    });
    const res = await http(t.url, '/api/events', { token: forged });
    expect([res.status, res.body.error.code]).toEqual([401, 'unauthorized']);
    // The coded reason beside the code: a screen tells another secret from an expired token.
    expect(res.body.error.reason).toBe('invalid_signature');
  });
  it('names the coded reason of a refused token in the handshake refusal', async () => {
    const forged = await signToken('another-secret-entirely', { sub: 'x', role: 'pos', outlet: 1 });
    const error = await refusalError(t.url, { token: forged });
    expect([error.data?.code, error.data?.reason]).toEqual(['unauthorized', 'invalid_signature']);
  });
});

describe('insecure mode', () => {
  it('accepts token-less clients only with insecureNoAuth', async () => {
    const open = await startRelay({ insecureNoAuth: true, secret: undefined });
    try {
      const pos = await connected(open.url, {});
      expect(await pos.request('order:publish', order())).toMatchObject({ ok: true, seq: 1 });
      const poll = await http(open.url, '/api/events?outlet_id=1');
      expect(poll.body.events).toHaveLength(1);
    } finally {
      await open.close();
    }
  });
});
