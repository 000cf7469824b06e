import type { HealthResponse } from '@kitchen-sync/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { describeHealth, relayStatus } from '../src/cli/status.js';
import { STATUS_TEXTS_ID } from '../src/cli/statusTextsId.js';
import { killAll, runCli } from './cliProcess.js';
import { startRelay, type TestRelay } from './helpers.js';

let relay: TestRelay | undefined;
afterEach(async () => {
  killAll();
  await relay?.close();
  relay = undefined;
});

const health = (overrides: Partial<HealthResponse> = {}): HealthResponse => ({
  status: 'ok',
  uptime: 7_500,
  connections: 3,
  clients: { pos: 2, kitchen: 1, monitor: 0 },
  head_seq: 41,
  store: 'sqlite',
  store_engine: 'node:sqlite',
  storage: { ok: true },
  version: '0.1.0',
  timestamp: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

/** /health's tls block of a `--tls auto` relay; a CA fingerprint when it hands out its CA. */
const tls = (caFingerprint256?: string) => ({
  enabled: true as const,
  source: 'auto' as const,
  notAfter: '2027-12-01T00:00:00.000Z',
  daysLeft: 361,
  subjectAltNames: ['DNS:localhost'],
  fingerprint256: 'AB:CD',
  ...(caFingerprint256 ? { caFingerprint256 } : {}),
});

describe('kitchen-sync-relay status', () => {
  it('says a healthy relay is running, with its devices and log', () => {
    const report = describeHealth('http://127.0.0.1:3001', health());
    expect(report.running).toBe(true);
    expect(report.text).toContain('RUNNING at http://127.0.0.1:3001');
    expect(report.text).toContain('up 2 h 5 min');
    expect(report.text).toContain('2 POS/kiosk, 1 kitchen, 0 monitor');
    expect(report.text).toContain(
      '  log position: event 41 (one per new order or change to one, not an order number; log: node:sqlite)',
    );
  });

  it('tells a relay that hands out a CA where a new tablet trusts it, and which CA', () => {
    const lan = (url: string) => [`${url.replace('localhost', '192.168.1.10')}/setup`];
    const withCa = describeHealth('https://localhost:3001', health({ tls: tls('CA:FE') }), {
      setupAt: lan,
    });
    expect(withCa.text).toContain('HTTPS certificate valid for 361 more days');
    expect(withCa.text).toContain(
      'new tablet? open once to trust this relay: https://192.168.1.10:3001/setup',
    );
    expect(withCa.text).toContain('CA SHA-256 (the one /setup must show): CA:FE');
    // Certificate files without --tls-ca: /setup has no CA to hand out, so it is not offered.
    const noCa = describeHealth('https://localhost:3001', health({ tls: tls() }), {
      setupAt: lan,
    });
    expect(noCa.text).not.toContain('/setup');
  });

  it('says a full disk loudly and counts it as not running', () => {
    const report = describeHealth(
      'http://127.0.0.1:3001',
      health({ storage: { ok: false, error: 'storage_full', since: '2026-01-01T10:00:00Z' } }),
    );
    expect(report.running).toBe(false);
    expect(report.text).toContain('PROBLEM');
    expect(report.text).toContain('THE DISK IS FULL');
  });

  it('asks a real relay, and says NOT RUNNING where nothing answers', async () => {
    relay = await startRelay();
    const up = await relayStatus([relay.url]);
    expect(up.running).toBe(true);
    expect(up.text).toMatch(/RUNNING at http:\/\/127\.0\.0\.1:\d+/);
    const url = relay.url;
    await relay.close();
    relay = undefined;
    const down = await relayStatus([url]);
    expect(down.running).toBe(false);
    expect(down.text).toContain('NOT RUNNING');
    expect(down.text).toContain('ECONNREFUSED');
  });

  it('speaks Indonesian to the cashier when asked, every line of it', async () => {
    const report = describeHealth(
      'https://localhost:3001',
      health({ uptime: 93_600, tls: tls('CA:FE') }),
      {
        texts: STATUS_TEXTS_ID,
        setupAt: () => ['https://192.168.1.10:3001/setup', 'https://[fd00::10]:3001/setup'],
      },
    );
    expect(report.running).toBe(true);
    expect(report.text.split('\n')).toEqual([
      'Relay Kitchen Sync BERJALAN di https://localhost:3001',
      '  versi 0.1.0, sudah aktif 1 hari 2 jam',
      '  perangkat terhubung: 2 POS/kiosk, 1 dapur, 0 monitor',
      '  posisi log: kejadian ke-41 (satu per pesanan baru atau perubahannya, bukan nomor pesanan; log: node:sqlite)',
      '  penyimpanan: OK',
      '  sertifikat HTTPS masih berlaku 361 hari lagi',
      '  tablet baru? buka sekali untuk memercayai relay ini: https://192.168.1.10:3001/setup atau https://[fd00::10]:3001/setup',
      '  SHA-256 CA (harus sama dengan yang ditampilkan /setup): CA:FE',
      '',
    ]);
    const full = describeHealth(
      'http://127.0.0.1:3001',
      health({ storage: { ok: false, error: 'storage_full', since: '2026-01-01T10:00:00Z' } }),
      { texts: STATUS_TEXTS_ID },
    );
    expect(full.text).toContain('ada MASALAH');
    expect(full.text).toContain('DISK PENUH sejak 2026-01-01T10:00:00Z');
    const down = await relayStatus(['http://127.0.0.1:9'], {}, { texts: STATUS_TEXTS_ID });
    expect(down.running).toBe(false);
    expect(down.text).toContain('TIDAK BERJALAN: tidak ada yang menjawab di http://127.0.0.1:9');
  });

  it('chooses the language from --lang, KS_LANG or the locale, and refuses one it lacks', async () => {
    relay = await startRelay();
    const byFlag = await runCli(['status', '--url', relay.url, '--lang', 'id']);
    expect(byFlag.stdout).toContain(`Relay Kitchen Sync BERJALAN di ${relay.url}`);
    expect(byFlag.code).toBe(0);
    const byLocale = await runCli(['status', '--url', relay.url], { LANG: 'id_ID.UTF-8' });
    expect(byLocale.stdout).toContain('BERJALAN');
    const byEnv = await runCli(['status', '--url', relay.url], { KS_LANG: 'en', LANG: 'id_ID' });
    expect(byEnv.stdout).toContain(`Kitchen Sync relay is RUNNING at ${relay.url}`);
    const help = await runCli(['status', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('kitchen-sync-relay status [--port N]');
    const unknown = await runCli(['status', '--url', relay.url, '--lang', 'fr']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--lang must be one of en, id (got "fr")');
    expect(unknown.stdout).toBe('');
  });
});
