import { execFile } from 'node:child_process';
import { connect } from 'node:tls';
import type { HealthResponse, TlsHandshakeFailure } from '@kitchen-sync/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeHealth } from '../src/cli/status.js';
import { STATUS_TEXTS_EN } from '../src/cli/statusTexts.js';
import { STATUS_TEXTS_ID } from '../src/cli/statusTextsId.js';
import { removeTempDirs, startRelay, type TestRelay } from './helpers.js';
import { companyCa, httpsGet } from './tlsHelpers.js';

const relays: TestRelay[] = [];
afterEach(async () => {
  for (const relay of relays.splice(0)) await relay.close();
  removeTempDirs();
});

/** A relay whose certificate lists relay.outlet.test, *.kitchen.test and 127.0.0.1. */
async function renamedRelay() {
  const ca = await companyCa('ACME Company CA');
  const pair = await ca.issue(['relay.outlet.test', '*.kitchen.test'], ['127.0.0.1']);
  const relay = await startRelay({ tls: { certFile: pair.certFile, keyFile: pair.keyFile } });
  relays.push(relay);
  const health = async (): Promise<HealthResponse> =>
    (await httpsGet(relay.url, '/health', ca.caPem, {}, 'relay.outlet.test')).json();
  const failures = async (): Promise<TlsHandshakeFailure[]> => (await health()).tls_failures ?? [];
  return { ca, relay, health, failures };
}

/** A Node client (it checks the name after the handshake, then hangs up): its error code. */
function nodeClient(port: number, ca: string, servername: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername }, () => {
      socket.end();
      resolve('connected');
    });
    socket.on('error', (error) => resolve((error as NodeJS.ErrnoException).code ?? 'error'));
  });
}

/**
 * OpenSSL checking name and CA during the handshake as Chromium does, answering a name the
 * certificate lacks with an alert (Chromium: certificate_unknown). No SNI when `servername`
 * is undefined, as for an address typed as an IP.
 */
function opensslClient(port: number, options: { caFile?: string; servername?: string }) {
  const args = ['s_client', '-connect', `127.0.0.1:${port}`, '-verify_return_error'];
  args.push(...(options.caFile ? ['-CAfile', options.caFile] : ['-no-CAfile', '-no-CApath']));
  args.push(
    ...(options.servername
      ? ['-servername', options.servername, '-verify_hostname', options.servername]
      : ['-noservername']),
  );
  return new Promise<number>((resolve) => {
    const child = execFile('openssl', args, { timeout: 10_000 }, (error) =>
      resolve(error ? Number(error.code ?? 1) : 0),
    );
    child.stdin?.end();
  });
}

describe('a device that asks for a name the certificate does not list', () => {
  it('is recorded as certificate_name_mismatch with the name, not as a missing CA', async () => {
    const { ca, relay, failures } = await renamedRelay();
    // A renamed relay: devices still dial relay2.outlet.test, and they do trust the CA.
    expect(await nodeClient(relay.port, ca.caPem, 'relay2.outlet.test')).toBe(
      'ERR_TLS_CERT_ALTNAME_INVALID',
    );
    await vi.waitFor(async () =>
      expect(await failures()).toEqual([
        expect.objectContaining({
          address: '127.0.0.1',
          reason: 'certificate_name_mismatch',
          name: 'relay2.outlet.test',
          count: 1,
        }),
      ]),
    );
    // Chromium's way: an alert in the handshake, which alone would read as a missing CA.
    expect(
      await opensslClient(relay.port, { caFile: ca.caFile, servername: 'relay2.outlet.test' }),
    ).not.toBe(0);
    await vi.waitFor(async () =>
      expect(await failures()).toEqual([
        expect.objectContaining({ reason: 'certificate_name_mismatch', count: 2 }),
      ]),
    );
    const metrics = (await httpsGet(relay.url, '/metrics', ca.caPem, {}, 'relay.outlet.test')).text;
    expect(metrics).toContain(
      'kitchen_sync_tls_handshake_failures_total{reason="certificate_name_mismatch"} 2',
    );
    expect(metrics).toContain(
      'kitchen_sync_tls_handshake_failures_total{reason="certificate_untrusted"} 0',
    );
  });

  it('leaves listed names (wildcards as X.509 matches them) and IP addresses to the CA check', async () => {
    const { ca, relay, failures } = await renamedRelay();
    // Listed names, used or hung up on unused, are no failure.
    expect(await nodeClient(relay.port, ca.caPem, 'relay.outlet.test')).toBe('connected');
    expect(await nodeClient(relay.port, ca.caPem, 'pass.kitchen.test')).toBe('connected');
    // Without the CA: a listed wildcard name, a name two labels under the wildcard, no SNI.
    expect(await opensslClient(relay.port, { servername: 'pass.kitchen.test' })).not.toBe(0);
    expect(await opensslClient(relay.port, { servername: 'a.b.kitchen.test' })).not.toBe(0);
    expect(await opensslClient(relay.port, {})).not.toBe(0);
    // A listed name written fully qualified (a trailing dot) is that name.
    expect(await opensslClient(relay.port, { servername: 'relay.outlet.test.' })).not.toBe(0);
    await vi.waitFor(async () => {
      const rows = await failures();
      expect(rows).toHaveLength(2);
      expect(rows).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ reason: 'certificate_untrusted', count: 3 }),
          expect.objectContaining({
            reason: 'certificate_name_mismatch',
            name: 'a.b.kitchen.test',
          }),
        ]),
      );
    });
    expect((await failures()).find((f) => f.reason === 'certificate_untrusted')).not.toHaveProperty(
      'name',
    );
  });

  it('is not blamed on a client that goes on past the name (verification off) and sends a request', async () => {
    const { ca, relay, failures } = await renamedRelay();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(
        {
          host: '127.0.0.1',
          port: relay.port,
          servername: 'relay2.outlet.test',
          rejectUnauthorized: false,
        },
        () => socket.end('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (chunk) => (text += chunk));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1.1 200/);
    // Then one that is: only it is listed.
    expect(await nodeClient(relay.port, ca.caPem, 'relay3.outlet.test')).not.toBe('connected');
    await vi.waitFor(async () =>
      expect((await failures()).map((f) => f.name)).toEqual(['relay3.outlet.test']),
    );
  });
});

describe('status on failed handshakes', () => {
  const health = (tls_failures: TlsHandshakeFailure[], source: 'auto' | 'files' = 'auto') =>
    ({
      status: 'ok',
      uptime: 60,
      connections: 0,
      clients: { pos: 0, kitchen: 0, monitor: 0, board: 0 },
      head_seq: 0,
      version: '1.0.0',
      timestamp: '2026-01-01T10:00:00.000Z',
      tls: {
        enabled: true,
        source,
        ok: true,
        notAfter: '2027-01-01T00:00:00.000Z',
        daysLeft: 300,
        subjectAltNames: ['DNS:relay.outlet.test'],
        fingerprint256: 'AB',
      },
      tls_failures,
    }) as unknown as HealthResponse;
  const row = (address: string, reason: TlsHandshakeFailure['reason'], name?: string) => ({
    address,
    reason,
    ...(name ? { name } : {}),
    count: 1,
    last_at: '2026-01-01T10:00:00.000Z',
  });
  const text = (h: HealthResponse, texts = STATUS_TEXTS_EN) =>
    describeHealth('https://localhost:3001', h, { texts }).text;

  it('names the name a device asked for and says to add it, apart from devices without the CA', () => {
    const rows = [
      row('192.168.1.23', 'certificate_name_mismatch', 'relay2.outlet.test'),
      row('192.168.1.24', 'certificate_name_mismatch', 'relay2.outlet.test'),
      row('192.168.1.30', 'certificate_untrusted'),
    ];
    const en = text(health(rows));
    expect(en).toContain(
      "  WARNING: 2 device(s) asked for relay2.outlet.test, which this relay's certificate does not list (192.168.1.23, 192.168.1.24): add --name relay2.outlet.test (or hand out a listed name).\n",
    );
    expect(en).toContain(
      "  WARNING: 1 device(s) refused this relay's certificate in the last 10 min (192.168.1.30): they do not trust the outlet CA.",
    );
    expect(text(health([rows[0]!]))).not.toContain('outlet CA. Open the /setup');
    expect(text(health([rows[0]!], 'files'))).toContain(
      'issue the certificate for relay2.outlet.test too (or hand out a listed name).',
    );
    expect(text(health([rows[0]!]), STATUS_TEXTS_ID)).toContain(
      '  PERINGATAN: 1 perangkat meminta relay2.outlet.test, nama yang tidak tercantum di sertifikat relay ini (192.168.1.23): tambahkan --name relay2.outlet.test (atau berikan nama yang tercantum).',
    );
  });
});
