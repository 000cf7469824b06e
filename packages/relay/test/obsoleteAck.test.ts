import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/index.js';
import {
  closeClients,
  connected,
  http,
  order,
  peek,
  startRelay,
  type TestRelay,
  tokenFor,
} from './helpers.js';
import { logLines } from './logLines.js';

let relay: TestRelay | undefined;
afterEach(async () => {
  closeClients();
  await relay?.close();
  relay = undefined;
});

function recordingLogger() {
  const { destination, lines } = logLines();
  return { logger: createLogger({ level: 'info', destination }), lines };
}

describe('an ack for an order the relay no longer has (its log was wiped)', () => {
  it('answers ok with obsolete: true, stores nothing and logs one line', async () => {
    const { logger, lines } = recordingLogger();
    relay = await startRelay({ logger });
    const kds = await connected(relay.url, { token: await tokenFor('kitchen', { sub: 'kds-1' }) });
    const orderId = randomUUID();
    expect(await kds.request('order:ack', { order_id: orderId })).toEqual({
      ok: true,
      seq: 0,
      duplicate: false,
      obsolete: true,
    });
    expect(await relay.relay.reader.countEvents()).toBe(0);
    expect(await peek(relay.relay, (s) => s.getAck(orderId, 'kds-1'))).toBeUndefined();
    expect(lines.filter((l) => l.order_id === orderId)).toEqual([
      expect.objectContaining({ kitchen_id: 'kds-1', msg: expect.stringMatching(/dropped/) }),
    ]);
  });

  it('answers the same over HTTP', async () => {
    relay = await startRelay();
    const answer = await http(relay.url, '/api/events', {
      token: await tokenFor('kitchen'),
      body: { type: 'order:ack', payload: { order_id: randomUUID() } },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ok: true, obsolete: true });
  });

  it('an ack of an order the relay has is not obsolete; a status update of an unknown one is still not_found', async () => {
    relay = await startRelay();
    const pos = await connected(relay.url, { token: await tokenFor('pos') });
    const kds = await connected(relay.url, { token: await tokenFor('kitchen') });
    const o = order();
    await pos.request('order:publish', o);
    const ack = await kds.request('order:ack', { order_id: o.order_id });
    expect(ack).toMatchObject({ ok: true, seq: 2, duplicate: false });
    expect(ack).not.toHaveProperty('obsolete');
    expect(
      await kds.request('order:update', { order_id: randomUUID(), status: 'preparing' }),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});
