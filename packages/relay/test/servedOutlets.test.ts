import { afterEach, describe, expect, it } from 'vitest';
import { createRelay } from '../src/relay.js';
import {
  connected,
  http,
  order,
  refusalError,
  SECRET,
  startRelay,
  type TestRelay,
  tokenFor,
} from './helpers.js';

let relay: TestRelay | undefined;
afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

const relayToken = (outlet: number | string) =>
  `x.${Buffer.from(JSON.stringify({ role: 'relay', outlet })).toString('base64url')}.y`;

describe('a relay with outlets (--outlet) refusing tokens of other outlets', () => {
  it('refuses a socket handshake of another outlet with outlet_not_served and the token’s outlet', async () => {
    relay = await startRelay({ outlets: [3, '4'] });
    const error = await refusalError(relay.url, {
      token: await tokenFor('kitchen', { outlet: 7, sub: 'kds-7' }),
      client_id: 'kds-7',
    });
    expect(error.message).toBe('unauthorized');
    expect([error.data?.reason, error.data?.outlet]).toEqual(['outlet_not_served', '7']);
  });

  it('refuses HTTP commands, reads and long polls of another outlet alike, with a 401 that says why', async () => {
    relay = await startRelay({ outlets: [3] });
    const pos = await tokenFor('pos', { outlet: 7 });
    const kitchen = await tokenFor('kitchen', { outlet: 7 });
    const answers = [
      await http(relay.url, '/api/events', {
        token: pos,
        body: { type: 'order:publish', payload: order({ outlet_id: 7 }) },
      }),
      await http(relay.url, '/emit', { token: pos, body: order({ outlet_id: 7 }) }),
      await http(relay.url, '/api/events?since=0', { token: kitchen }),
      await http(relay.url, '/api/events?since=0&wait=20000', { token: kitchen }),
      await http(relay.url, '/api/orders?since_id=0', { token: kitchen }),
      // An admin token is for one outlet like every token: the same rule.
      await http(relay.url, '/clients', { token: await tokenFor('admin', { outlet: 7 }) }),
    ];
    for (const answer of answers) {
      expect([answer.status, answer.body.error]).toEqual([
        401,
        expect.objectContaining({ code: 'unauthorized', reason: 'outlet_not_served', outlet: '7' }),
      ]);
    }
    // Nothing of outlet 7 was stored.
    expect(await relay.relay.reader.outlets()).toEqual([]);
  });

  it('takes the outlets it serves whether token and option spell the id 1 or "1"', async () => {
    relay = await startRelay({ outlets: [3, '4'] });
    await connected(relay.url, {
      token: await tokenFor('kitchen', { outlet: '3' }),
      client_id: 'kds-3',
    });
    const published = await http(relay.url, '/api/events', {
      token: await tokenFor('pos', { outlet: 4 }),
      body: { type: 'order:publish', payload: order({ outlet_id: 4 }) },
    });
    expect(published.status).toBe(200);
    const read = await http(relay.url, '/api/events?since=0', {
      token: await tokenFor('kitchen', { outlet: 4 }),
    });
    expect([read.status, read.body.events.length]).toEqual([200, 1]);
    const admin = await http(relay.url, '/clients', {
      token: await tokenFor('admin', { outlet: '3' }),
    });
    expect(admin.status).toBe(200);
  });

  it('counts and lists the refusals by reason and shows the outlets it serves in /health', async () => {
    relay = await startRelay({ outlets: ['3'] });
    await refusalError(relay.url, {
      token: await tokenFor('kitchen', { outlet: 7, sub: 'kds-7' }),
      client_id: 'kds-7',
    });
    await http(relay.url, '/api/events?since=0', {
      token: await tokenFor('kitchen', { outlet: 8, sub: 'kds-8' }),
    });
    const health = await http(relay.url, '/health');
    expect(health.body.served_outlets).toEqual(['3']);
    expect(health.body.refused_devices).toEqual([
      expect.objectContaining({ client_id: 'kds-7', reason: 'outlet_not_served', count: 1 }),
      expect.objectContaining({ client_id: 'kds-8', reason: 'outlet_not_served', count: 1 }),
    ]);
    const metrics = await http(relay.url, '/metrics');
    expect(metrics.body).toContain(
      'kitchen_sync_token_refusals_total{reason="outlet_not_served"} 2',
    );
  });

  it('without outlets serves any outlet a valid token names, as before', async () => {
    relay = await startRelay();
    await connected(relay.url, {
      token: await tokenFor('kitchen', { outlet: 7 }),
      client_id: 'kds-7',
    });
    const read = await http(relay.url, '/api/events?since=0', {
      token: await tokenFor('kitchen', { outlet: 8 }),
    });
    expect(read.status).toBe(200);
    const health = await http(relay.url, '/health');
    expect(health.body.served_outlets).toBeUndefined();
    const metrics = await http(relay.url, '/metrics');
    expect(metrics.body).toContain(
      'kitchen_sync_token_refusals_total{reason="outlet_not_served"} 0',
    );
  });

  it('gives token-less clients of --insecure-no-auth the first outlet it serves', async () => {
    relay = await startRelay({ outlets: [5, 6], insecureNoAuth: true, secret: undefined });
    const published = await http(relay.url, '/emit', { body: order({ outlet_id: 5 }) });
    expect(published.status).toBe(200);
    const read = await http(relay.url, '/api/events?since=0');
    expect(read.body.events.map((e: { outlet_id: number }) => e.outlet_id)).toEqual([5]);
  });
});

describe('outlets that cannot work', () => {
  it.each([
    [[], 'outlet_invalid'],
    [[''], 'outlet_invalid'],
    [['x'.repeat(65)], 'outlet_invalid'],
    [[1.5], 'outlet_invalid'],
  ])('refuses outlets %j at start with %s', (outlets, code) => {
    expect(() => createRelay({ secret: SECRET, store: 'memory', outlets })).toThrow(
      expect.objectContaining({ code }),
    );
  });

  it('refuses a central credential of an outlet it does not serve, and takes one it serves (1 or "1")', () => {
    const central = (outlet: number | string) => ({
      url: 'http://127.0.0.1:9/',
      token: relayToken(outlet),
      outlet: String(outlet),
    });
    expect(() =>
      createRelay({ secret: SECRET, store: 'memory', outlets: [3], central: central(7) }),
    ).toThrow(expect.objectContaining({ code: 'central_outlet_not_served' }));
    expect(() =>
      createRelay({ secret: SECRET, store: 'memory', outlets: [3], central: central('3') }),
    ).not.toThrow();
  });
});
