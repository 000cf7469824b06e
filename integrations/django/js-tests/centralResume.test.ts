import {
  createSocketService,
  loadOutletSettings,
  type SocketService,
  socketOptionsFromSettings,
} from '@kitchen-sync/client';
import type { EventEnvelope } from '@kitchen-sync/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { centralOrder } from './harness/centralOrder.js';
import { DjangoStack } from './harness/djangoStack.js';
import { waitFor } from './harness/waitFor.js';

let stack: DjangoStack;
let service: SocketService | undefined;
let overtaken: SocketService | undefined;
/** Tenant 1's orders the first test leaves open, each with the type of its latest event. */
let leftOpen: Array<[string, string]> = [];

beforeAll(async () => {
  stack = await new DjangoStack().start();
});

afterAll(async () => {
  service?.stop();
  overtaken?.stop();
  await stack?.stop();
});

const order = (tenant: number) => centralOrder(tenant);

type CentralOrder = ReturnType<typeof order>;

/** What another central process does while daphne is down: record and broadcast each change. */
function publishElsewhere(changes: Array<[string, CentralOrder]>): void {
  const code = [
    'import json',
    'from kitchen_sync.events import publish_order_event',
    `for event_type, data in json.loads(${JSON.stringify(JSON.stringify(changes))}):`,
    '    publish_order_event(event_type, data)',
  ].join('\n');
  stack.python(code);
}

/**
 * Records every change in the outlet log but broadcasts only the last one's frame, as when a
 * later seq's group send overtook an earlier one's and the socket dropped before the earlier
 * one came. Returns the seqs.
 */
function recordAllSendLast(changes: Array<[string, CentralOrder]>): number[] {
  const code = [
    'import json',
    'from asgiref.sync import async_to_sync',
    'from channels.layers import get_channel_layer',
    'from kitchen_sync.events import _messages, build_envelope',
    'from kitchen_sync.outlet_log import record_event',
    `changes = json.loads(${JSON.stringify(JSON.stringify(changes))})`,
    "rows = [record_event(build_envelope(t, d), source='central')[0] for t, d in changes]",
    'groups, message = _messages(rows[-1].envelope, rows[-1].seq)',
    'for group in groups:',
    '    async_to_sync(get_channel_layer().group_send)(group, message)',
    'print(json.dumps([row.seq for row in rows]))',
  ].join('\n');
  return JSON.parse(stack.python(code).trim().split('\n').at(-1) ?? '[]') as number[];
}

describe('central mode resumes from its central seq (daphne + Redis + the kitchen_sync consumer)', () => {
  it('gets every change made while it was away exactly once, in order, then live ones', async () => {
    const settings = await loadOutletSettings({
      apiUrl: stack.url,
      outletId: 1,
      query: { tenant: 1, device: 'kds-grill' },
      storage: null,
    });
    service = createSocketService({
      ...socketOptionsFromSettings(settings),
      WebSocket: (url) => new WebSocket(url) as unknown as globalThis.WebSocket,
      reconnect: { min: 100, max: 500 },
    });
    const got: Array<[string, string | undefined, number | undefined]> = [];
    service.on('event', (event: EventEnvelope, _source, seq) =>
      got.push([event.type, event.order_id, seq]),
    );
    service.start();
    await waitFor(() => service?.centralCursor.get() !== null, 10_000, 'caught up');

    // Live, through the checkout view: the frame carries the event's seq in the log.
    const first = order(1);
    const response = await fetch(`${stack.url}/api/public/order-groups/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': first.order_id },
      body: JSON.stringify({ outlet_id: 1, orders: [first] }),
    });
    expect(response.status).toBe(201);
    await waitFor(() => got.length === 1, 10_000, 'the live order');
    const firstSeq = got[0]?.[2];
    expect(typeof firstSeq).toBe('number');

    await stack.killDaphne();
    await waitFor(() => service?.status.get().centralConnected === false, 10_000, 'down');
    const [a, b, c] = [order(1), order(1), order(1)];
    publishElsewhere([
      ['new_order', a],
      ['new_order', order(2)], // another tenant's: never for this kitchen
      ['order_updated', { ...first, status: 'preparing' }],
      ['new_order', b],
      ['order_cancelled', { ...a, status: 'cancelled' }],
      ['new_order', c],
    ]);
    await stack.startDaphne();
    await waitFor(() => service?.status.get().centralConnected === true, 15_000, 'reconnect');

    // A live event after the replay: once it is here, anything doubled would have come first.
    const last = order(1);
    publishElsewhere([['new_order', last]]);
    await waitFor(() => got.some(([, id]) => id === last.order_id), 10_000, 'the live order after');
    expect(got.map(([type, id]) => [type, id])).toEqual([
      ['new_order', first.order_id],
      ['new_order', a.order_id],
      ['order_updated', first.order_id],
      ['new_order', b.order_id],
      ['order_cancelled', a.order_id],
      ['new_order', c.order_id],
      ['new_order', last.order_id],
    ]);
    const seqs = got.map(([, , seq]) => seq as number);
    expect(seqs.every((seq, i) => i === 0 || seq > (seqs[i - 1] as number))).toBe(true);
    expect(service.centralCursor.get()?.since).toBe(seqs.at(-1));
    leftOpen = [
      ['order_updated', first.order_id],
      ['new_order', b.order_id],
      ['new_order', c.order_id],
      ['new_order', last.order_id],
    ];
  });

  it('resumes below a frame that overtook an earlier one: the earlier one comes, nothing twice', async () => {
    const settings = await loadOutletSettings({
      apiUrl: stack.url,
      outletId: 1,
      query: { tenant: 1, device: 'kds-pass' },
      storage: null,
    });
    overtaken = createSocketService({
      ...socketOptionsFromSettings(settings),
      WebSocket: (url) => new WebSocket(url) as unknown as globalThis.WebSocket,
      reconnect: { min: 100, max: 500 },
    });
    const got: Array<[string | undefined, number | undefined]> = [];
    const types: string[] = [];
    overtaken.on('event', (event: EventEnvelope, _source, seq) => {
      got.push([event.order_id, seq]);
      types.push(event.type);
    });
    overtaken.start();
    await waitFor(() => overtaken?.centralCursor.get() !== null, 10_000, 'caught up');
    const head = overtaken.centralCursor.get()?.since;
    // A new screen (no cursor; no relay bridged): the open orders as they stand, without seqs.
    expect(got).toEqual(leftOpen.map(([, id]) => [id, undefined]));
    expect(types).toEqual(leftOpen.map(([type]) => type));
    got.length = 0;

    const [early, late] = [order(1), order(1)];
    const [earlySeq, lateSeq] = recordAllSendLast([
      ['new_order', early],
      ['new_order', late],
    ]);
    await waitFor(() => got.length === 1, 10_000, 'the overtaking frame');
    expect(got).toEqual([[late.order_id, lateSeq]]);
    expect(overtaken.centralCursor.get()?.since).toBe(head);

    await stack.killDaphne();
    await waitFor(() => overtaken?.status.get().centralConnected === false, 10_000, 'down');
    await stack.startDaphne();
    await waitFor(() => overtaken?.status.get().centralConnected === true, 15_000, 'reconnect');
    const last = order(1);
    publishElsewhere([['new_order', last]]);
    await waitFor(() => got.some(([id]) => id === last.order_id), 10_000, 'the live order after');
    expect(got.map(([id]) => id)).toEqual([late.order_id, early.order_id, last.order_id]);
    expect(got[1]?.[1]).toBe(earlySeq);
    expect(overtaken.centralCursor.get()?.since).toBe(got[2]?.[1]);
  });
});
