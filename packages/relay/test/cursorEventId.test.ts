import type { CaughtUpMessage, EventsResponse, SnapshotMessage } from '@kitchen-sync/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connected,
  http,
  order,
  startRelay,
  type TestClient,
  type TestRelay,
  tokenFor,
} from './helpers.js';

// Wherever the relay moves a client's cursor to a seq (caught_up, snapshot, a poll's
// last_seq), it names the event_id there: a tenant-scoped kitchen whose cursor sits on another
// tenant's event keeps it as since_event, the proof of a log that went back (catchUp.ts).

const relays: TestRelay[] = [];
afterEach(async () => {
  for (const r of relays.splice(0)) await r.close();
});

async function relayWith(tenants: number[]) {
  const t = await startRelay();
  relays.push(t);
  const pos = await connected(t.url, { token: await tokenFor('pos') });
  for (const tenant_id of tenants) {
    const ack = await pos.request<{ ok: boolean }>('order:publish', order({ tenant_id }));
    expect(ack.ok).toBe(true);
  }
  pos.close();
  return t;
}

const message = <T>(c: TestClient, name: string) =>
  c.received.find((r) => r.name === name)?.data as T | undefined;

describe('the event_id at the seq a client resumes from', () => {
  it("names another tenant's event at the head to a scoped kitchen, in caught_up after a backlog", async () => {
    const t = await relayWith([1, 1, 2]);
    const atHead = await t.relay.reader.eventIdAt!('1', 3);
    const token = await tokenFor('kitchen', { tenants: [1] });
    const kitchen = await connected(t.url, { token, since: 1, epoch: t.relay.epoch });
    expect(kitchen.events().map((e) => e.seq)).toEqual([2]);
    const caughtUp = message<CaughtUpMessage>(kitchen, 'sync:caught_up')!;
    expect(caughtUp).toMatchObject({ seq: 3, event_id: atHead });
    expect(atHead).toEqual(expect.any(String));
  });

  it('names it in the snapshot and the caught_up after it', async () => {
    const t = await relayWith([1, 2]);
    const atHead = await t.relay.reader.eventIdAt!('1', 2);
    const kitchen = await connected(t.url, { token: await tokenFor('kitchen', { tenants: [1] }) });
    expect(message<SnapshotMessage>(kitchen, 'sync:snapshot')).toMatchObject({
      seq: 2,
      event_id: atHead,
    });
    expect(message<CaughtUpMessage>(kitchen, 'sync:caught_up')?.event_id).toBe(atHead);
  });

  it('names it in a poll answer beside last_seq, at the head or at the end of a full page', async () => {
    const t = await relayWith([1, 1, 2]);
    const token = await tokenFor('kitchen', { tenants: [1] });
    const epoch = t.relay.epoch;
    const toHead = await http(t.url, `/api/events?outlet_id=1&since=1&epoch=${epoch}`, { token });
    expect(toHead.body as EventsResponse).toMatchObject({
      last_seq: 3,
      last_event_id: await t.relay.reader.eventIdAt!('1', 3),
    });
    const page = await http(t.url, `/api/events?outlet_id=1&since=0&epoch=${epoch}&limit=1`, {
      token,
    });
    expect(page.body as EventsResponse).toMatchObject({
      last_seq: 1,
      last_event_id: await t.relay.reader.eventIdAt!('1', 1),
    });
    const snapshot = await http(t.url, `/api/events?outlet_id=1&since=5&epoch=${epoch}`, {
      token,
    });
    const body = snapshot.body as EventsResponse;
    expect(body.snapshot).toMatchObject({ seq: 3, event_id: body.last_event_id });
    expect(body.last_event_id).toEqual(expect.any(String));
  });

  it('names none for an empty log', async () => {
    const t = await relayWith([]);
    const kitchen = await connected(t.url, { token: await tokenFor('kitchen') });
    expect(message<SnapshotMessage>(kitchen, 'sync:snapshot')).not.toHaveProperty('event_id');
    expect(message<CaughtUpMessage>(kitchen, 'sync:caught_up')).not.toHaveProperty('event_id');
    const poll = await http(t.url, '/api/events?outlet_id=1', { token: await tokenFor('kitchen') });
    expect(poll.body).toMatchObject({ last_seq: 0 });
    expect(poll.body).not.toHaveProperty('last_event_id');
  });
});
