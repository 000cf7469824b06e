import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureOutletCertificate, type OutletCertificate } from '../src/tls/index.js';

let dir: string;
let issued: OutletCertificate;
let caPem: string;
let server: Server;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ks-tls-handshake-'));
  issued = await ensureOutletCertificate({
    dir,
    names: ['relay.local'],
    addresses: ['127.0.0.1', '::1'],
  });
  caPem = readFileSync(issued.caCertPath, 'utf8');
  server = createServer({ cert: issued.material.cert, key: issued.material.key }, (_req, res) =>
    res.end('ok'),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
  rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  body?: string;
  fingerprint256?: string;
  error?: string;
}

/** One HTTPS GET to the loopback server, presenting `servername` as a browser at that name would. */
function get(options: { ca?: string; servername?: string }): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        agent: false,
        ...(options.ca ? { ca: options.ca } : {}),
        ...(options.servername
          ? { servername: options.servername, headers: { host: options.servername } }
          : {}),
      },
      (res) => {
        const fingerprint256 = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ body, fingerprint256 }));
      },
    );
    req.on('error', (error) =>
      resolve({ error: (error as NodeJS.ErrnoException).code ?? error.message }),
    );
    req.end();
  });
}

describe('a TLS handshake with the issued certificate', () => {
  it('succeeds for relay.local when the client trusts the outlet CA', async () => {
    expect(await get({ ca: caPem, servername: 'relay.local' })).toEqual({
      body: 'ok',
      fingerprint256: issued.material.fingerprint256,
    });
  });

  it('succeeds for the IP address in the certificate', async () => {
    expect((await get({ ca: caPem })).body).toBe('ok');
  });

  it('fails when the client does not trust the outlet CA', async () => {
    expect(await get({ servername: 'relay.local' })).toEqual({
      // relay.crt carries the CA after the leaf, so the untrusted root is seen in the chain.
      error: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
  });

  it('fails for a name the certificate does not carry', async () => {
    expect(await get({ ca: caPem, servername: 'other.local' })).toEqual({
      error: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });
});
