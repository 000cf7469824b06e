import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadOutletSettings } from '@kitchen-sync/client';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Child } from './harness/childProcess.js';
import { DjangoStack } from './harness/djangoStack.js';
import { startRelayCli } from './harness/relayCli.js';

let stack: DjangoStack;
let relay: Child;
let relayUrl: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  // The relay's secret file is what KITCHEN_SYNC['RELAY_SECRET'] holds on the Django side.
  const bootstrap = new DjangoStack();
  const secretFile = bootstrap.writeSecretFile();
  const dataDir = join(bootstrap.dir, 'relay-data');
  mkdirSync(dataDir);
  ({ relay, url: relayUrl } = await startRelayCli(dataDir, secretFile));
  stack = bootstrap;
  stack.relayUrl = relayUrl;
  await stack.start();
});

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await relay?.stop();
  await stack?.stop();
});

/** A device boots like the client does: settings from Django, then the relay with its token. */
async function device(query: Record<string, string | number>) {
  const settings = await loadOutletSettings({
    apiUrl: stack.url,
    outletId: 1,
    query,
    storage: null,
  });
  expect(settings.relayUrl).toBe(relayUrl);
  const socket = io(relayUrl, {
    auth: { token: settings.relayToken, client_id: String(query.device) },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

const ack = (socket: Socket, event: string, payload: unknown) =>
  socket.timeout(5_000).emitWithAck(event, payload) as Promise<Record<string, unknown>>;

describe('relay tokens from the kitchen_sync settings view, checked by the real relay', () => {
  it('lets a POS publish and keeps two kitchens’ acks distinct; another tenant is refused', async () => {
    const pos = await device({ device: 'pos-1' });
    const grill = await device({ tenant: 1, device: 'kds-grill' });
    const wok = await device({ tenant: 1, device: 'kds-wok' });
    const bakso = await device({ tenant: 2, device: 'kds-bakso' });

    const order = {
      order_id: randomUUID(),
      order_number: 'OFF-DJANGO-1',
      outlet_id: 1,
      tenant_id: 1,
      status: 'pending',
      items: [{ product_id: 1, name: 'Nasi goreng', quantity: 2, price: '25000' }],
      total_amount: '50000',
      created_at: new Date().toISOString(),
    };
    expect(await ack(pos, 'order:publish', order)).toMatchObject({ ok: true, duplicate: false });

    const first = await ack(grill, 'order:ack', { order_id: order.order_id });
    const second = await ack(wok, 'order:ack', { order_id: order.order_id });
    expect(first).toMatchObject({ ok: true, duplicate: false });
    // With one shared sub ("device") this second ack came back duplicate and emitted nothing.
    expect(second).toMatchObject({ ok: true, duplicate: false });
    expect(second.seq).not.toBe(first.seq);
    expect(await ack(grill, 'order:ack', { order_id: order.order_id })).toMatchObject({
      ok: true,
      duplicate: true,
      seq: first.seq,
    });
    expect(await ack(bakso, 'order:ack', { order_id: order.order_id })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });
});
