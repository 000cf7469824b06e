import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRelay, type Relay } from '@kitchen-sync/relay';
import { afterEach, describe, expect, it } from 'vitest';
import { createSocketService } from '../../src/socket/socketService.js';
import type { SocketService } from '../../src/socket/types.js';
import { waitFor } from '../unit/socket/waitFor.js';

// A certificate no trust store has: what a tablet sees before the outlet CA is installed.
const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));

let server: Server | undefined;
let service: SocketService | undefined;
let relay: Relay | undefined;
let relayDir: string | undefined;

afterEach(async () => {
  service?.stop();
  service = undefined;
  await relay?.close();
  relay = undefined;
  if (relayDir) rmSync(relayDir, { recursive: true, force: true });
  relayDir = undefined;
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function untrustedRelay(): Promise<string> {
  const https = createHttpsServer({
    cert: fixture('self-signed-cert.pem'),
    key: fixture('self-signed-key.pem'),
  });
  server = https;
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  const { port } = https.address() as { port: number };
  return `https://127.0.0.1:${port}`;
}

async function closedPort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function make(relayUrl: string): SocketService {
  service = createSocketService({
    outletId: 1,
    relayUrl,
    token: 'tok',
    page: null,
    permissions: null,
    pollingGraceMs: 60_000,
  });
  return service;
}

describe('in Node, the platform says why TLS failed', () => {
  it('socket.io-client over ws: a self-signed relay certificate is relay_untrusted', async () => {
    const s = make(await untrustedRelay());
    s.start();
    await waitFor(() => s.status.get().error !== null, 10_000, 'a connect error');
    expect(s.status.get().error).toMatchObject({
      code: 'relay_untrusted',
      details: { tlsCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
    });
    expect(s.status.get().error?.details?.setupUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/setup$/);
  });

  it('fetch (polling): the same certificate is relay_untrusted', async () => {
    const s = make(await untrustedRelay());
    s.startPolling();
    await waitFor(() => s.status.get().error !== null, 10_000, 'a poll error');
    expect(s.status.get().error).toMatchObject({
      code: 'relay_untrusted',
      details: { tlsCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
    });
  });

  it('nothing listening is relay_unreachable, for the socket and for polls', async () => {
    const s = make(`https://127.0.0.1:${await closedPort()}`);
    s.start();
    await waitFor(() => s.status.get().error !== null, 10_000, 'a connect error');
    expect(s.status.get().error?.code).toBe('relay_unreachable');
    s.stop();
    const polled = make(`https://127.0.0.1:${await closedPort()}`);
    polled.startPolling();
    await waitFor(() => polled.status.get().error !== null, 10_000, 'a poll error');
    expect(polled.status.get().error?.code).toBe('relay_unreachable');
  });
});

describe('a TLS relay given by its http:// address', () => {
  async function tlsRelayPort(): Promise<number> {
    relayDir = mkdtempSync(join(tmpdir(), 'ks-client-https-only-'));
    relay = createRelay({
      host: '127.0.0.1',
      port: 0,
      dataDir: relayDir,
      secret: 'client-integration-secret-32-bytes!',
      logLevel: 'silent',
      tls: { auto: { names: ['relay.test'] } },
    });
    return (await relay.listen()).port;
  }

  it('is relay_https_only for the socket (through the probe) and for polls', async () => {
    const port = await tlsRelayPort();
    const s = make(`http://127.0.0.1:${port}`);
    s.start();
    await waitFor(
      () => s.status.get().error?.code === 'relay_https_only',
      10_000,
      'relay_https_only',
    );
    expect(s.status.get().error?.details).toMatchObject({
      httpsUrl: `https://127.0.0.1:${port}`,
    });
    s.stop();

    const polled = make(`http://127.0.0.1:${port}`);
    polled.startPolling();
    await waitFor(() => polled.status.get().error !== null, 10_000, 'a poll error');
    expect(polled.status.get().error?.code).toBe('relay_https_only');
  });
});
