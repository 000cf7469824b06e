import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureOutletCertificate } from '@kitchen-sync/relay';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { type Central, startCentral } from '../src/central';

// `pnpm start -- --lan`: pages served over https by the relay reach central over https, and
// central must hand them an https relay URL, or the browser blocks it as mixed content.
let dir: string;
let central: Central;
let ca: Buffer;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ks-central-tls-'));
  const files = await ensureOutletCertificate({
    dir,
    names: ['localhost'],
    addresses: ['127.0.0.1'],
  });
  ca = readFileSync(files.caCertPath);
  central = await startCentral({
    port: 0,
    relaySecret: 'test-secret',
    socketSecret: 'test-socket-secret',
    relayPort: 3999,
    tls: { cert: readFileSync(files.certPath), key: readFileSync(files.keyPath) },
  });
});

afterEach(async () => {
  await central.close();
  rmSync(dir, { recursive: true, force: true });
});

function getJson(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    get(`https://127.0.0.1:${central.port}${path}`, { ca }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        text += chunk;
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }),
      );
    }).on('error', reject);
  });
}

test('serves https and hands out an https relay URL and a wss outlet channel', async () => {
  expect(central.url).toMatch(/^https:\/\//);
  const { status, body } = await getJson('/api/tenants/outlets/1/?tenant=2');

  expect(status).toBe(200);
  expect(body.relay_url).toBe('https://127.0.0.1:3999');
  const socketUrl = new URL(body.websocket_url as string);
  expect(`${socketUrl.origin}${socketUrl.pathname}`).toBe(
    `wss://127.0.0.1:${central.port}/ws/outlet/1/`,
  );
  expect(socketUrl.searchParams.get('tenant')).toBe('2');
  // Central's own socket token, not the relay's.
  expect(socketUrl.searchParams.get('token')).not.toBe(body.relay_token);

  const socket = new WebSocket(body.websocket_url as string, { ca });
  // The first frame is caught_up; a pong follows the ping.
  const frames = new Promise<unknown[]>((resolve, reject) => {
    const received: unknown[] = [];
    socket.on('message', (data) => {
      received.push(JSON.parse(String(data)));
      if (received.length === 2) resolve(received);
    });
    socket.once('error', reject);
  });
  socket.once('open', () => socket.send(JSON.stringify({ type: 'ping' })));
  expect(await frames).toEqual([
    { type: 'caught_up', seq: 0 },
    expect.objectContaining({ type: 'pong' }),
  ]);
  socket.close();
});

test('comes back over https after an outage', async () => {
  await central.setOutage(true);
  await central.setOutage(false);

  expect((await getJson('/health')).status).toBe(200);
});
