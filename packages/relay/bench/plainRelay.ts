/**
 * The comparison relay of the benchmark: plain Socket.IO broadcast, no storage, no auth.
 * It speaks just enough of DESIGN §3 for the load generator (publish ack, `event`
 * envelopes, one `sync:caught_up`) so both relays face identical clients. The bench runs it
 * as a child compiled to JavaScript (relayProcess.ts); by hand:
 *   node --import tsx bench/plainRelay.ts --port 0 --host 127.0.0.1
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { EVENT_TYPES, SOCKET_EVENTS } from '@kitchen-sync/protocol';
import { decodeJwt } from 'jose';
import { Server } from 'socket.io';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});

const epoch = randomUUID();
const seqByOutlet = new Map<string, number>();

// No verification on purpose: the token is read only to pick the outlet room, as the
// durable relay does after verifying it.
function outletOf(token: unknown): string {
  if (typeof token !== 'string') return 'default';
  try {
    return String(decodeJwt(token).outlet ?? 'default');
  } catch {
    return 'default';
  }
}

const http = createServer();
const io = new Server(http, { serveClient: false });

io.on('connection', (socket) => {
  const outlet = outletOf(socket.handshake.auth.token);
  const room = `outlet:${outlet}`;
  socket.join(room);
  socket.emit(SOCKET_EVENTS.CAUGHT_UP, { seq: seqByOutlet.get(outlet) ?? 0, epoch });

  socket.on(SOCKET_EVENTS.PUBLISH, (order: Record<string, unknown>, ack: unknown) => {
    if (typeof ack !== 'function' || typeof order !== 'object' || order === null) return;
    const seq = (seqByOutlet.get(outlet) ?? 0) + 1;
    seqByOutlet.set(outlet, seq);
    ack({ ok: true, seq, duplicate: false });
    io.to(room).emit(SOCKET_EVENTS.EVENT, {
      seq,
      event_id: randomUUID(),
      type: EVENT_TYPES.NEW_ORDER,
      outlet_id: order.outlet_id,
      tenant_id: order.tenant_id,
      order_id: order.order_id,
      data: { ...order, version: 1 },
      ts: new Date().toISOString(),
      origin: socket.handshake.auth.client_id,
    });
  });

  socket.on(SOCKET_EVENTS.PING, (ack: unknown) => {
    if (typeof ack === 'function') ack({ ok: true, ts: new Date().toISOString() });
  });
});

http.listen(Number(values.port), values.host, () => {
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : values.port;
  console.log(`kitchen-sync-relay listening on http://${values.host}:${port} (plain bench relay)`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    io.close(() => process.exit(0));
  });
}
