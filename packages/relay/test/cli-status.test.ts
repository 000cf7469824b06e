import type { BridgeHealth, HealthResponse } from '@kitchen-sync/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { startUploadEndpoint, type UploadEndpoint } from '../../../test-support/uploadEndpoint.js';
import { describeHealth, relayStatus } from '../src/cli/status.js';
import { STATUS_TEXTS_ID } from '../src/cli/statusTextsId.js';
import { signToken } from '../src/index.js';
import { killAll, runCli } from './cliProcess.js';
import { order, SECRET, startRelay, type TestRelay } from './helpers.js';

let relay: TestRelay | undefined;
let central: UploadEndpoint | undefined;
afterEach(async () => {
  killAll();
  await relay?.close();
  relay = undefined;
  await central?.close();
  central = undefined;
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

/** An uplink two days behind; a downlink whose last poll (at /health's timestamp) worked. */
const bridge = (overrides: Partial<BridgeHealth> = {}): BridgeHealth => ({
  state: 'backoff',
  pendingEvents: 900,
  lagSeconds: 172_813,
  lastSuccessAt: null,
  lastErrorCode: 'central_unreachable',
  downlinkCursor: 0,
  downlinkState: 'synced',
  downlinkLastSuccessAt: '2026-01-01T00:00:00.000Z',
  downlinkLastErrorCode: null,
  ...overrides,
});

/** Uplink synced; the downlink failing with `code`, last answered `ago` seconds before. */
const downlinkFailing = (code: string, ago: number | null): BridgeHealth =>
  bridge({
    state: 'synced',
    pendingEvents: 0,
    lagSeconds: 0,
    lastErrorCode: null,
    downlinkState: 'backoff',
    downlinkLastSuccessAt:
      ago === null
        ? null
        : new Date(Date.parse('2026-01-01T00:00:00.000Z') - ago * 1_000).toISOString(),
    downlinkLastErrorCode: code,
  });

/** Both sides of the bridge unreachable since the relay started. */
const cutOff = () =>
  bridge({
    downlinkState: 'backoff',
    downlinkLastSuccessAt: null,
    downlinkLastErrorCode: 'central_unreachable',
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

  it('says an expired certificate /health reports and counts it as not running', () => {
    const expired = { ...tls(), ok: false, error: 'certificate_expired' as const, daysLeft: -1 };
    const report = describeHealth('https://localhost:3001', health({ tls: expired }));
    expect(report.running).toBe(false);
    expect(report.text).toContain('THE HTTPS CERTIFICATE EXPIRED on');
    expect(report.text).not.toContain('valid for -1 more days');
  });

  it('warns of a CA that ends within 30 days, in English and Indonesian, and still counts it running', () => {
    const ending = { ...tls('CA:FE'), caNotAfter: '2027-01-01T00:00:00.000Z', caDaysLeft: 9 };
    const report = describeHealth('https://localhost:3001', health({ tls: ending }));
    expect(report.running).toBe(true);
    expect(report.text).toMatch(/WARNING: the CA that devices trust ends on .* \(9 days\)/);
    expect(report.text).toContain('move tls/ca.crt and tls/ca.key away');
    const id = describeHealth('https://localhost:3001', health({ tls: ending }), {
      texts: STATUS_TEXTS_ID,
    });
    expect(id.text).toContain('PERINGATAN: CA yang dipercayai perangkat berakhir pada');
    const later = { ...ending, caDaysLeft: 30 };
    expect(describeHealth('https://localhost:3001', health({ tls: later })).text).not.toContain(
      'the CA that devices trust ends',
    );
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

  it('warns of stored rows it could not read, and still counts the relay as running', () => {
    const unreadable_rows = {
      code: 'store_corrupt' as const,
      count: 2,
      first: { table: 'events' as const, outlet: '1', key: 100 },
      since: '2026-01-01T10:00:00Z',
    };
    const report = describeHealth('http://127.0.0.1:3001', health({ unreadable_rows }));
    expect(report.running).toBe(true);
    expect(report.text).toMatch(
      /WARNING: 2 stored rows of the order log could not be read \(damaged on disk, first since 2026-01-01 \d\d:00:00 \(UTC[+-]\d\d:\d\d\)\)/,
    );
    expect(describeHealth('http://127.0.0.1:3001', health()).text).not.toContain(
      'could not be read',
    );
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
      '  perangkat terhubung: 2 POS/kiosk, 1 dapur, 0 monitor, 0 layar antrean',
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
    expect(full.text).toMatch(/DISK PENUH sejak 2026-01-01 \d\d:\d\d:00 \(UTC[+-]\d\d:\d\d\)/);
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

  it('says how far behind central is, why, what to do, and warns past 15 min', () => {
    const outage = describeHealth('http://127.0.0.1:3001', health({ bridge: cutOff() }));
    // The relay still serves the outlet: RUNNING, exit 0; central's lag is said under it.
    expect(outage.running).toBe(true);
    expect(outage.text.split('\n').slice(4)).toEqual([
      '  storage: OK',
      '  central: 900 events not uploaded yet, the oldest for 2 d 0 h (backoff, last error central_unreachable)',
      "  what to do: check this PC's internet connection. Orders keep working here; they are uploaded by themselves once central answers.",
      "  WARNING: central is 2 d 0 h behind this relay (more than 15 min): its reports and order pages lack this outlet's orders since then.",
      // The same code's advice is not said twice.
      '  web orders from central: none received since the relay started (backoff, last error central_unreachable)',
      '  WARNING: no order made at central (web shop, delivery apps) has reached this outlet for 2 h 5 min (more than 15 min): central refuses them (outlet_offline), or its guests wait for food this kitchen never gets.',
      '',
    ]);
    const blip = describeHealth(
      'http://127.0.0.1:3001',
      health({ bridge: bridge({ pendingEvents: 3, lagSeconds: 900 }) }),
    );
    expect(blip.text).toContain('3 events not uploaded yet, the oldest for 15 min');
    expect(blip.text).not.toContain('WARNING');
    const stricter = describeHealth(
      'http://127.0.0.1:3001',
      health({ bridge: bridge({ pendingEvents: 3, lagSeconds: 900 }) }),
      { uploadLagWarningSeconds: 60 },
    );
    expect(stricter.text).toContain(
      'WARNING: central is 15 min behind this relay (more than 1 min)',
    );
    const refused = describeHealth(
      'http://127.0.0.1:3001',
      health({
        bridge: bridge({ pendingEvents: 1, lagSeconds: 5, lastErrorCode: 'unauthorized' }),
      }),
    );
    expect(refused.text).toContain('1 event not uploaded yet, the oldest for 5 s');
    expect(refused.text).toContain('central refuses the relay credential');
    const synced = describeHealth(
      'http://127.0.0.1:3001',
      health({
        bridge: bridge({ state: 'synced', pendingEvents: 0, lagSeconds: 0, lastErrorCode: null }),
      }),
    );
    expect(synced.text).toContain('  central: everything uploaded\n');
    expect(describeHealth('http://127.0.0.1:3001', health()).text).not.toContain('central');
    const id = describeHealth('http://127.0.0.1:3001', health({ bridge: cutOff() }), {
      texts: STATUS_TEXTS_ID,
    });
    expect(id.text.split('\n').slice(5, 10)).toEqual([
      '  pusat (central): 900 kejadian belum terunggah, yang tertua sejak 2 hari 0 jam lalu (backoff, galat terakhir central_unreachable)',
      '  yang harus dilakukan: periksa koneksi internet PC ini. Pesanan tetap berjalan di sini; semuanya terunggah sendiri begitu pusat menjawab.',
      '  PERINGATAN: pusat tertinggal 2 hari 0 jam dari relay ini (lebih dari 15 menit): laporan dan halaman pesanan di pusat tidak memuat pesanan outlet ini sejak itu.',
      '  pesanan web dari pusat: tidak ada yang diterima sejak relay dijalankan (backoff, galat terakhir central_unreachable)',
      '  PERINGATAN: tidak ada pesanan yang dibuat di pusat (toko web, aplikasi pesan-antar) yang sampai ke outlet ini selama 2 jam 5 menit (lebih dari 15 menit): pusat menolaknya (outlet_offline), atau tamunya menunggu makanan yang tidak pernah sampai ke dapur ini.',
    ]);
  });

  it('says when orders made at central stop reaching this outlet though uploads work, why, what to do, and warns past 15 min', () => {
    const at = (b: BridgeHealth, options = {}) =>
      describeHealth('http://127.0.0.1:3001', health({ bridge: b }), options);
    // A central whose downlink view is not routed: it takes the uploads and 404s the polls.
    const unrouted = at(downlinkFailing('http_404', null));
    expect(unrouted.running).toBe(true);
    expect(unrouted.text.split('\n').slice(4)).toEqual([
      '  storage: OK',
      '  central: everything uploaded',
      '  web orders from central: none received since the relay started (backoff, last error http_404)',
      "  what to do: central answers 404 (not found): its Kitchen Sync relay views are not routed (include kitchen_sync's URLs there), or central runs a version without them. Tell central's administrator.",
      // Never answered: counted by the relay's uptime (2 h 5 min).
      '  WARNING: no order made at central (web shop, delivery apps) has reached this outlet for 2 h 5 min (more than 15 min): central refuses them (outlet_offline), or its guests wait for food this kitchen never gets.',
      '',
    ]);
    // Failing for 10 min by the relay's own clock: said, not warned about.
    const failing = at(downlinkFailing('http_502', 600));
    expect(failing.text).toMatch(
      /\n {2}web orders from central: none received since 2025-12-31 \d\d:\d\d:00 \(UTC[+-]\d\d:\d\d\) \(backoff, last error http_502\)\n/,
    );
    expect(failing.text).toContain(
      "what to do: central fails on the relay's requests (HTTP 5xx): tell central's administrator to look at central's error log.",
    );
    expect(failing.text).not.toContain('WARNING');
    const longer = at(downlinkFailing('internal', 20 * 60));
    expect(longer.text).toContain("what to do: central failed on the relay's request");
    expect(longer.text).toContain('has reached this outlet for 20 min (more than 15 min)');
    expect(at(downlinkFailing('http_500', 90), { uploadLagWarningSeconds: 60 }).text).toContain(
      'has reached this outlet for 1 min (more than 1 min)',
    );
    // Working, not started yet (no device of the outlet here) or stopped: nothing to say.
    const quiet = [
      bridge({ state: 'synced', pendingEvents: 0, lagSeconds: 0, lastErrorCode: null }),
      bridge({ downlinkState: 'starting', downlinkLastSuccessAt: null }),
      bridge({ downlinkState: 'stopped' }),
      // A relay from before the downlink.
      { ...bridge(), downlinkState: undefined } as unknown as BridgeHealth,
    ];
    for (const b of quiet) expect(at(b).text).not.toContain('web orders');
    const id = at(downlinkFailing('http_404', null), { texts: STATUS_TEXTS_ID });
    expect(id.text.split('\n').slice(6, 8)).toEqual([
      '  pesanan web dari pusat: tidak ada yang diterima sejak relay dijalankan (backoff, galat terakhir http_404)',
      '  yang harus dilakukan: pusat menjawab 404 (tidak ditemukan): view relay Kitchen Sync belum dipasang di URL pusat (sertakan URL kitchen_sync), atau versi pusat belum memilikinya. Beri tahu administrator pusat.',
    ]);
    expect(id.text).toContain('PERINGATAN: tidak ada pesanan yang dibuat di pusat');
    expect(at(downlinkFailing('http_503', 0), { texts: STATUS_TEXTS_ID }).text).toContain(
      'pusat gagal memproses permintaan relay (HTTP 5xx)',
    );
  });

  it('tells the cashier of a real relay that central has had nothing for two days, still exit 0', async () => {
    central = await startUploadEndpoint();
    const clock = { aheadMs: 0 };
    relay = await bridgedRelay(central, clock);
    const token = await signToken(SECRET, { sub: 'pos-1', role: 'pos', outlet: 1 }, '1h');
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${relay.url}/api/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ type: 'order:publish', payload: order({ tenant_id: 1 }) }),
      });
      expect(response.status).toBe(200);
    }
    // Two days of outage, on the relay's clock.
    clock.aheadMs = (48 * 3_600 + 13) * 1_000;
    await bridgeReaches(relay.url, (b) => b.lastErrorCode === 'central_unreachable');
    const outage = await runCli(['status', '--url', relay.url, '--lang', 'en']);
    expect(outage.code).toBe(0);
    expect(outage.stdout).toContain(`Kitchen Sync relay is RUNNING at ${relay.url}`);
    expect(outage.stdout).toMatch(
      /\n {2}central: 3 events not uploaded yet, the oldest for 2 d 0 h \((backoff|uploading), last error central_unreachable\)\n/,
    );
    expect(outage.stdout).toContain("what to do: check this PC's internet connection");
    expect(outage.stdout).toContain(
      'WARNING: central is 2 d 0 h behind this relay (more than 15 min)',
    );
    const id = await runCli(['status', '--url', relay.url, '--lang', 'id']);
    expect(id.code).toBe(0);
    expect(id.stdout).toContain('PERINGATAN: pusat tertinggal 2 hari 0 jam dari relay ini');

    central.up = true;
    central.downlink = true;
    await bridgeReaches(relay.url, (b) => b.state === 'synced' && b.downlinkState === 'synced');
    const after = await runCli(['status', '--url', relay.url, '--lang', 'en']);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('  central: everything uploaded\n');
    expect(after.stdout).not.toContain('web orders');
    expect(after.stdout).not.toMatch(/WARNING: (central|no order)/);
    // The relay's clock was moved two days ahead of central's, and it is bound to loopback.
    expect(after.stdout).toContain("WARNING: this PC's clock is 2 d 0 h ahead of central's");
  });

  it("tells the cashier of a real relay whose uploads work that central's orders stopped coming an hour ago, still exit 0", async () => {
    central = await startUploadEndpoint();
    central.up = true;
    central.downlink = true;
    const clock = { aheadMs: 0 };
    relay = await bridgedRelay(central, clock);
    // A device of the credential's outlet lets the downlink start.
    const token = await signToken(SECRET, { sub: 'pos-1', role: 'pos', outlet: 1 }, '1h');
    const response = await fetch(`${relay.url}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ type: 'order:publish', payload: order({ tenant_id: 1 }) }),
    });
    expect(response.status).toBe(200);
    await bridgeReaches(relay.url, (b) => b.state === 'synced' && b.downlinkState === 'synced');
    // Central's downlink view goes away (a deploy without its route); an hour passes.
    central.downlink = false;
    await bridgeReaches(relay.url, (b) => b.downlinkLastErrorCode === 'http_404');
    clock.aheadMs = 3_600_000;
    const status = await runCli(['status', '--url', relay.url, '--lang', 'en']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`Kitchen Sync relay is RUNNING at ${relay.url}`);
    expect(status.stdout).toContain('  central: everything uploaded\n');
    expect(status.stdout).toMatch(
      /\n {2}web orders from central: none received since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(UTC[+-]\d\d:\d\d\) \(backoff, last error http_404\)\n/,
    );
    expect(status.stdout).toContain(
      'what to do: central answers 404 (not found): its Kitchen Sync relay views are not routed',
    );
    expect(status.stdout).toContain(
      'WARNING: no order made at central (web shop, delivery apps) has reached this outlet for 1 h 0 min (more than 15 min)',
    );
  });
});

/** Asks the relay's /health until its bridge is as wanted (the uplink retries every 50-200 ms). */
/** A relay bridged to `central` (outlet 1) whose clock runs `clock.aheadMs` ahead. */
function bridgedRelay(central: UploadEndpoint, clock: { aheadMs: number }): Promise<TestRelay> {
  return startRelay({
    now: () => Date.now() + clock.aheadMs,
    central: {
      url: central.url,
      token: 'x.y.z',
      outlet: '1',
      backoff: { minMs: 50, maxMs: 200, jitter: 0 },
    },
  });
}

async function bridgeReaches(url: string, wanted: (b: BridgeHealth) => boolean): Promise<void> {
  for (;;) {
    const { bridge } = (await (await fetch(`${url}/health`)).json()) as HealthResponse;
    if (bridge && wanted(bridge)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
