import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { EventEnvelope, PublishAck } from '@kitchen-sync/protocol';
import { SignJWT } from 'jose';
import { renderSVG } from 'uqr';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, ensureOutletCertificate, type TlsReloadOutcome } from '../src/index.js';
import {
  http,
  order,
  removeTempDirs,
  SECRET,
  startRelay,
  type TestRelay,
  tempDir,
  tokenFor,
} from './helpers.js';
import { logLines } from './logLines.js';
import {
  agreedCipher,
  closeWssClients,
  companyCa,
  httpsGet,
  peerFingerprint,
  replaceFile,
  testCa,
  wssClient,
} from './tlsHelpers.js';

const relays: TestRelay[] = [];
afterEach(async () => {
  closeWssClients();
  for (const relay of relays.splice(0)) await relay.close();
  removeTempDirs();
});

/** Resolves with the next reload outcomes as the relay reports them. */
function reloadEvents() {
  const outcomes: TlsReloadOutcome[] = [];
  const waiters = new Set<() => void>();
  return {
    outcomes,
    onTlsReload(outcome: TlsReloadOutcome) {
      outcomes.push(outcome);
      for (const wake of [...waiters]) wake();
    },
    next(predicate: (o: TlsReloadOutcome) => boolean): Promise<TlsReloadOutcome> {
      const found = outcomes.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => {
        const check = () => {
          const hit = outcomes.find(predicate);
          if (!hit) return;
          waiters.delete(check);
          resolve(hit);
        };
        waiters.add(check);
      });
    },
  };
}

/** A sample's value in Prometheus text, NaN when the metric is absent. */
function metricValue(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : Number.NaN;
}

async function start(options: Parameters<typeof startRelay>[0]) {
  const relay = await startRelay(options);
  relays.push(relay);
  return relay;
}

describe('relay over TLS with certificate files', () => {
  it('serves HTTPS and WSS on one port: orders flow kiosk → kitchen', async () => {
    const ca = await testCa();
    const pair = await ca.issue();
    const relay = await start({ tls: { certFile: pair.certFile, keyFile: pair.keyFile } });
    expect(relay.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

    const kitchen = await wssClient(relay.url, ca.caPem, { token: await tokenFor('kitchen') });
    const delivered = new Promise<EventEnvelope>((resolve) =>
      kitchen.on('event', (e: EventEnvelope) => e.seq !== null && resolve(e)),
    );
    const pos = await wssClient(relay.url, ca.caPem, { token: await tokenFor('pos') });
    const placed = order();
    const ack = (await pos.timeout(5_000).emitWithAck('order:publish', placed)) as PublishAck;
    expect(ack).toMatchObject({ ok: true, seq: 1 });
    expect((await delivered).order_id).toBe(placed.order_id);
    expect(kitchen.io.engine.transport.name).toBe('websocket');
    expect(await peerFingerprint(relay.port, ca.caPem)).toBe(pair.fingerprint256);
  });

  it('refuses a client that does not trust the CA; over plain HTTP only the https address', async () => {
    const ca = await testCa();
    const other = await testCa();
    const pair = await ca.issue();
    const relay = await start({ tls: { certFile: pair.certFile, keyFile: pair.keyFile } });
    await expect(httpsGet(relay.url, '/health', other.caPem)).rejects.toMatchObject({
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
    const plain = await http(relay.url.replace('https:', 'http:'), '/health');
    expect(plain.status).toBe(426);
    expect(plain.body).toEqual({
      error: {
        code: 'https_required',
        message: `this relay serves HTTPS only: use ${relay.url}/health`,
      },
    });
  });

  it('picks up renewed files without dropping an open socket', async () => {
    const ca = await testCa();
    const first = await ca.issue();
    const second = await ca.issue();
    const events = reloadEvents();
    const relay = await start({
      tls: { certFile: first.certFile, keyFile: first.keyFile },
      onTlsReload: events.onTlsReload,
    });
    const pos = await wssClient(relay.url, ca.caPem, { token: await tokenFor('pos') });

    // Key first, then the certificate, each by rename: what renewal tools do.
    replaceFile(first.keyFile, second.key);
    replaceFile(first.certFile, second.cert);
    const outcome = await events.next((o) => o.ok && o.fingerprint256 === second.fingerprint256);
    expect(outcome).toMatchObject({ ok: true, changed: true });

    expect(await peerFingerprint(relay.port, ca.caPem)).toBe(second.fingerprint256);
    expect(pos.connected).toBe(true);
    const ack = await pos.timeout(5_000).emitWithAck('order:publish', order());
    expect(ack).toMatchObject({ ok: true, seq: 1 });
  });

  it('lets the device pick the cipher suite, before and after a reload', async () => {
    const ca = await testCa();
    const first = await ca.issue();
    const second = await ca.issue();
    const relay = await start({ tls: { certFile: first.certFile, keyFile: first.keyFile } });
    // What a browser with AES hardware offers, then what one without it offers.
    const offers = [
      'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256',
      'TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384',
    ];
    const agreed = () => Promise.all(offers.map((o) => agreedCipher(relay.port, ca.caPem, o)));
    const expected = ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256'];
    expect(await agreed()).toEqual(expected);
    // A renewed pair installs a new secure context, which must keep the device's choice.
    replaceFile(first.keyFile, second.key);
    replaceFile(first.certFile, second.cert);
    await relay.relay.reloadTls();
    expect(await peerFingerprint(relay.port, ca.caPem)).toBe(second.fingerprint256);
    expect(await agreed()).toEqual(expected);
  });

  it('reloadTls() swaps the pair; a bad pair is refused and the old one kept', async () => {
    const ca = await testCa();
    const first = await ca.issue();
    const second = await ca.issue();
    const third = await ca.issue();
    const dir = tempDir('ks-files-');
    const certFile = join(dir, 'relay.crt');
    const keyFile = join(dir, 'relay.key');
    writeFileSync(certFile, first.cert);
    writeFileSync(keyFile, first.key);
    const relay = await start({ tls: { certFile, keyFile } });
    const pos = await wssClient(relay.url, ca.caPem, { token: await tokenFor('pos') });

    writeFileSync(certFile, second.cert);
    writeFileSync(keyFile, second.key);
    expect(await relay.relay.reloadTls()).toMatchObject({
      ok: true,
      fingerprint256: second.fingerprint256,
    });
    expect(await peerFingerprint(relay.port, ca.caPem)).toBe(second.fingerprint256);

    writeFileSync(certFile, third.cert); // the key still belongs to `second`
    expect(await relay.relay.reloadTls()).toMatchObject({ ok: false, code: 'tls_key_mismatch' });
    expect(await peerFingerprint(relay.port, ca.caPem)).toBe(second.fingerprint256);
    writeFileSync(certFile, 'not a certificate');
    expect(await relay.relay.reloadTls()).toMatchObject({ ok: false, code: 'tls_cert_invalid' });
    expect(await peerFingerprint(relay.port, ca.caPem)).toBe(second.fingerprint256);

    expect(pos.connected).toBe(true);
    expect(await pos.timeout(5_000).emitWithAck('order:publish', order())).toMatchObject({
      ok: true,
    });

    // For alerting: the served certificate's expiry, and the failed reloads (the file watcher
    // may have tried the bad files too).
    const metrics = (await httpsGet(relay.url, '/metrics', ca.caPem)).text;
    expect(metricValue(metrics, 'kitchen_sync_tls_certificate_not_after_timestamp_seconds')).toBe(
      Date.parse(new X509Certificate(second.cert).validTo) / 1000,
    );
    expect(metricValue(metrics, 'kitchen_sync_tls_reload_failures_total')).toBeGreaterThanOrEqual(
      2,
    );
  });

  it('keeps the pair and the CA it hands out when a reload brings a CA that did not issue it', async () => {
    const ours = await companyCa('ACME Company CA');
    const pair = await ours.issue(['localhost'], ['127.0.0.1']);
    const other = await testCa();
    const stranger = await other.issue();
    const dir = tempDir('ks-files-');
    const certFile = join(dir, 'relay.crt');
    const keyFile = join(dir, 'relay.key');
    const caFile = join(dir, 'ca.crt');
    writeFileSync(certFile, readFileSync(pair.certFile));
    writeFileSync(keyFile, readFileSync(pair.keyFile));
    writeFileSync(caFile, ours.caPem);
    const relay = await start({ tls: { certFile, keyFile, caFile } });
    const served = await peerFingerprint(relay.port, ours.caPem);

    // A pair from another CA, the CA file unchanged.
    writeFileSync(certFile, stranger.cert);
    writeFileSync(keyFile, stranger.key);
    expect(await relay.relay.reloadTls()).toMatchObject({ ok: false, code: 'tls_ca_mismatch' });
    expect(await peerFingerprint(relay.port, ours.caPem)).toBe(served);

    // The pair back, and a CA file that did not issue it.
    writeFileSync(certFile, readFileSync(pair.certFile));
    writeFileSync(keyFile, readFileSync(pair.keyFile));
    writeFileSync(caFile, other.caPem);
    expect(await relay.relay.reloadTls()).toMatchObject({ ok: false, code: 'tls_ca_mismatch' });
    const handedOut = await httpsGet(relay.url, '/ca.crt', ours.caPem);
    expect(handedOut.body.equals(new X509Certificate(ours.caPem).raw)).toBe(true);
    expect((await httpsGet(relay.url, '/health', ours.caPem)).json().tls).toMatchObject({
      caName: 'ACME Company CA',
    });
  });

  it('reports the certificate in /health and a plain relay says tls is off', async () => {
    const ca = await testCa();
    const pair = await ca.issue({ leafDays: 100, renewBeforeDays: 0 });
    const relay = await start({ tls: { certFile: pair.certFile, keyFile: pair.keyFile } });
    const health = (await httpsGet(relay.url, '/health', ca.caPem)).json();
    const leaf = new X509Certificate(pair.cert);
    expect(health).toMatchObject({
      status: 'ok',
      store: 'sqlite',
      tls: {
        enabled: true,
        source: 'files',
        notAfter: new Date(leaf.validTo).toISOString(),
        subjectAltNames: ['DNS:localhost', 'IP:127.0.0.1'],
        fingerprint256: pair.fingerprint256,
      },
    });
    expect(health.tls.daysLeft).toBeGreaterThanOrEqual(98);
    expect(health.tls.daysLeft).toBeLessThanOrEqual(100);

    const plain = await start({});
    expect((await http(plain.url, '/health')).body.tls).toEqual({ enabled: false });
  });

  it('warns in the log when the certificate has 30 days or fewer left', async () => {
    const ca = await testCa();
    const pair = await ca.issue({ leafDays: 10, renewBeforeDays: 0 });
    const { destination, lines } = logLines<{ level: number; msg: string; daysLeft?: number }>();
    await start({
      tls: { certFile: pair.certFile, keyFile: pair.keyFile },
      logger: createLogger({ level: 'warn', destination }),
    });
    const warning = lines.find((l) => l.level === 40 && l.daysLeft !== undefined);
    expect(warning?.daysLeft).toBeLessThanOrEqual(10);
  });

  it('repeats the expiry warning once a day, not at every 6-hourly check', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const ca = await testCa();
      const pair = await ca.issue({ leafDays: 20, renewBeforeDays: 0 });
      const warnings: number[] = [];
      const destination = new Writable({
        write(chunk, _encoding, done) {
          for (const line of String(chunk).split('\n').filter(Boolean)) {
            const entry = JSON.parse(line);
            if (entry.level === 40 && entry.daysLeft !== undefined) warnings.push(entry.daysLeft);
          }
          done();
        },
      });
      let clock = Date.now();
      const events = reloadEvents();
      await start({
        tls: { certFile: pair.certFile, keyFile: pair.keyFile },
        logger: createLogger({ level: 'warn', destination }),
        now: () => clock,
        onTlsReload: events.onTlsReload,
      });
      expect(warnings).toHaveLength(1);
      for (let check = 1; check <= 4; check++) {
        clock += 6 * 3_600_000;
        vi.advanceTimersByTime(6 * 3_600_000);
        await events.next(() => events.outcomes.length >= check);
        expect(warnings, `after ${check * 6} h`).toHaveLength(check < 4 ? 1 : 2);
      }
      expect(warnings[1]).toBe(warnings[0]! - 1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('fails listen() with the code of a bad pair, and never listens in plain HTTP', async () => {
    const longAgo = new Date(Date.now() - 40 * 86_400_000);
    const ca = await testCa(longAgo);
    const expired = await ca.issue({
      now: longAgo,
      leafDays: 30,
      renewBeforeDays: 0,
    });
    await expect(
      startRelay({ tls: { certFile: expired.certFile, keyFile: expired.keyFile } }),
    ).rejects.toMatchObject({ code: 'tls_cert_expired' });
    await expect(
      startRelay({ tls: { certFile: join(tempDir(), 'none.crt'), keyFile: expired.keyFile } }),
    ).rejects.toMatchObject({ code: 'tls_cert_missing' });
  });
});

describe('GET /ca.crt and /setup', () => {
  it('serves the CA certificate as DER and PEM, and never a private key in the CA file', async () => {
    const ca = await testCa();
    const pair = await ca.issue();
    const caFile = join(tempDir('ks-cafile-'), 'ca-with-key.pem');
    writeFileSync(caFile, `${ca.caPem}\n${pair.key}`); // an operator's paste mistake
    const relay = await start({ tls: { certFile: pair.certFile, keyFile: pair.keyFile, caFile } });

    const der = await httpsGet(relay.url, '/ca.crt', ca.caPem);
    expect(der.status).toBe(200);
    expect(der.headers['content-type']).toBe('application/x-x509-ca-cert');
    expect(der.body.equals(new X509Certificate(ca.caPem).raw)).toBe(true);

    const pem = await httpsGet(relay.url, '/ca.crt?format=pem', ca.caPem);
    expect(pem.headers['content-type']).toMatch(/^application\/x-pem-file/);
    expect(new X509Certificate(pem.text).fingerprint256).toBe(
      new X509Certificate(ca.caPem).fingerprint256,
    );
    expect(pem.text).not.toMatch(/PRIVATE KEY/);
  });

  it('answers 404 with the error shape when the relay has no CA to hand out', async () => {
    const ca = await testCa();
    const pair = await ca.issue();
    const relay = await start({ tls: { certFile: pair.certFile, keyFile: pair.keyFile } });
    const answer = await httpsGet(relay.url, '/ca.crt', ca.caPem);
    expect(answer.status).toBe(404);
    expect(answer.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('refuses a --tls-ca that is not a CA certificate', async () => {
    const ca = await testCa();
    const pair = await ca.issue();
    await expect(
      startRelay({
        tls: { certFile: pair.certFile, keyFile: pair.keyFile, caFile: pair.certFile },
      }),
    ).rejects.toMatchObject({ code: 'tls_ca_invalid' });
    await expect(
      startRelay({
        tls: { certFile: pair.certFile, keyFile: pair.keyFile, caFile: join(tempDir(), 'no.crt') },
      }),
    ).rejects.toMatchObject({ code: 'tls_ca_missing' });
  });

  it('shows the relay address as a QR code, the CA download and its fingerprint', async () => {
    const ca = await testCa();
    const pair = await ca.issue();
    const relay = await start({
      tls: { certFile: pair.certFile, keyFile: pair.keyFile, caFile: ca.caFile },
    });
    const page = await httpsGet(relay.url, '/setup', ca.caPem, { host: 'relay.local:3443' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toMatch(/<svg [^>]*class="qr"/);
    expect(page.text).toContain('href="/ca.crt"');
    expect(page.text).toContain('https://relay.local:3443');
    // The QR code opens this page on the tablet (the bare address has nothing for a browser).
    expect(page.text).toContain(renderSVG('https://relay.local:3443/setup').slice('<svg '.length));
    expect(page.text).toContain('Scan to open this page on a tablet.');
    expect(page.text).toContain(new X509Certificate(ca.caPem).fingerprint256);
    for (const platform of [
      'Android',
      'iPad',
      'Windows',
      'ChromeOS',
      'LocalNetworkAccessAllowedForUrls',
    ]) {
      expect(page.text).toContain(platform);
    }
    // A forged Host header is neither echoed into the page nor the QR code.
    const forged = await httpsGet(relay.url, '/setup', ca.caPem, { host: '"><script>x</script>' });
    expect(forged.text).not.toContain('<script>');
    expect(forged.text).toContain(`https://127.0.0.1:${relay.port}`);
  });

  it('sends a browser at the bare address to /setup; API clients keep the JSON 404', async () => {
    const ca = await testCa();
    const pair = await ca.issue();
    const tls = { certFile: pair.certFile, keyFile: pair.keyFile, caFile: ca.caFile };
    const relay = await start({ tls });
    const browser = await httpsGet(relay.url, '/', ca.caPem, { accept: 'text/html,*/*;q=0.8' });
    expect(browser.status).toBe(302);
    expect(browser.headers.location).toBe('/setup');
    expect(browser.headers.vary).toMatch(/Accept/);
    for (const accept of [{}, { accept: 'application/json' }] as Record<string, string>[]) {
      const api = await httpsGet(relay.url, '/', ca.caPem, accept);
      expect(api.status).toBe(404);
      expect(api.json()).toMatchObject({ error: { code: 'not_found' } });
    }
    // A plain HTTP relay has /setup too (it says TLS is off): the same.
    const plain = await start({});
    const plainBrowser = await fetch(`${plain.url}/`, {
      headers: { accept: 'text/html' },
      redirect: 'manual',
    });
    expect(plainBrowser.status).toBe(302);
    expect(plainBrowser.headers.get('location')).toBe('/setup');
    expect((await http(plain.url, '/')).status).toBe(404);
    // An app mounted at / keeps its own page there.
    const app = tempDir('ks-root-app-');
    writeFileSync(join(app, 'index.html'), '<title>home app</title>');
    const withApp = await start({ tls, apps: [{ prefix: '/', dir: app }] });
    const home = await httpsGet(withApp.url, '/', ca.caPem, { accept: 'text/html' });
    expect(home.status).toBe(200);
    expect(home.text).toContain('<title>home app</title>');
  });

  it('names the CA it hands out by its own name: a company CA given with --tls-ca', async () => {
    const ca = await companyCa('ACME Company CA');
    const pair = await ca.issue(['localhost'], ['127.0.0.1']);
    const relay = await start({
      tls: { certFile: pair.certFile, keyFile: pair.keyFile, caFile: ca.caFile },
    });
    for (const lang of ['en', 'id']) {
      const page = (await httpsGet(relay.url, `/setup?lang=${lang}`, ca.caPem)).text;
      expect(page).toContain('<b>ACME Company CA</b>');
      expect(page).not.toContain('kitchen-sync outlet CA');
    }
    const health = (await httpsGet(relay.url, '/health', ca.caPem)).json();
    expect(health.tls).toMatchObject({
      caName: 'ACME Company CA',
      caFingerprint256: new X509Certificate(ca.caPem).fingerprint256,
    });
  });

  it('speaks Indonesian to a browser that asks for it, and either language on ?lang=', async () => {
    const ca = await testCa();
    const pair = await ca.issue();
    const relay = await start({
      tls: { certFile: pair.certFile, keyFile: pair.keyFile, caFile: ca.caFile },
    });
    const fingerprint = new X509Certificate(ca.caPem).fingerprint256;
    const indonesian = await httpsGet(relay.url, '/setup', ca.caPem, {
      'accept-language': 'id-ID,id;q=0.9,en-US;q=0.8',
    });
    expect(indonesian.headers.vary).toMatch(/Accept-Language/i);
    expect(indonesian.text).toContain('<html lang="id">');
    expect(indonesian.text).toContain('Siapkan perangkat untuk relay ini');
    expect(indonesian.text).toContain('Unduh sertifikat CA');
    expect(indonesian.text).toContain(fingerprint);
    expect(indonesian.text).toContain(
      '<a href="/setup?lang=en" hreflang="en" lang="en">English</a>',
    );
    const english = await httpsGet(relay.url, '/setup?lang=en', ca.caPem, {
      'accept-language': 'id-ID',
    });
    expect(english.text).toContain('<html lang="en">');
    expect(english.text).toContain('Set up a device for this relay');
    expect(english.text).toContain('hreflang="id"');
    const asked = await httpsGet(relay.url, '/setup?lang=id', ca.caPem);
    expect(asked.text).toContain('<html lang="id">');
  });
});

describe('relay with --tls auto', () => {
  it('serves the outlet CA and its own certificate, and renews it when due', async () => {
    // Installed 20 days ago with a 51-day certificate: 50 days left then, 30 less 10 minutes
    // today. (A relay would not issue on a clock before its release; the test may.)
    let clock = Date.now() - 20 * 86_400_000 - 10 * 60_000;
    const dir = tempDir('ks-auto-');
    const installed = await ensureOutletCertificate({
      dir,
      names: ['relay.local'],
      now: new Date(clock),
      leafDays: 51,
      clockFloor: new Date(0),
    });
    expect(installed.material.notAfter.getTime() - Date.now()).toBeLessThan(30 * 86_400_000);
    const events = reloadEvents();
    const relay = await start({
      tls: { auto: { dir, names: ['relay.local'] } },
      now: () => clock,
      onTlsReload: events.onTlsReload,
    });
    const caPem = (await import('node:fs')).readFileSync(join(dir, 'ca.crt'), 'utf8');
    const health = (await httpsGet(relay.url, '/health', caPem)).json();
    expect(health.tls).toMatchObject({ enabled: true, source: 'auto' });
    expect(health.tls.subjectAltNames).toEqual(
      expect.arrayContaining(['DNS:relay.local', 'DNS:localhost', 'IP:127.0.0.1']),
    );
    const served = await httpsGet(relay.url, '/ca.crt?format=pem', caPem);
    const caFingerprint = new X509Certificate(caPem).fingerprint256;
    expect(new X509Certificate(served.text).fingerprint256).toBe(caFingerprint);
    // What /setup asks the person to compare is what the relay's PC can show.
    expect(health.tls.caFingerprint256).toBe(caFingerprint);
    expect((await httpsGet(relay.url, '/setup', caPem)).text).toContain(caFingerprint);
    const before = await peerFingerprint(relay.port, caPem);
    // The relay's clock also judges tokens: issued on its day, still valid after the jump.
    const token = await new SignJWT({ role: 'kitchen', outlet: 1 })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('kds-1')
      .setIssuedAt(Math.floor(clock / 1000))
      .setExpirationTime(Math.floor(Date.now() / 1000) + 3600)
      .sign(new TextEncoder().encode(SECRET));
    const kitchen = await wssClient(relay.url, caPem, { token });

    expect(await relay.relay.reloadTls()).toMatchObject({ ok: true, changed: false });
    clock = Date.now(); // inside the 30-day renewal window
    const renewed = await relay.relay.reloadTls();
    expect(renewed).toMatchObject({ ok: true, changed: true });
    const after = await peerFingerprint(relay.port, caPem);
    expect(after).not.toBe(before);
    expect(after).toBe(renewed.ok && renewed.fingerprint256);
    expect(kitchen.connected).toBe(true);
    expect(relay.relay.tlsHealth()).toMatchObject({ enabled: true, fingerprint256: after });
  });

  it('refuses an invalid --name before it starts', async () => {
    const { createRelay } = await import('../src/index.js');
    expect(() =>
      createRelay({
        insecureNoAuth: true,
        store: 'memory',
        logLevel: 'silent',
        tls: { auto: { dir: tempDir(), names: ['bad_name!'] } },
      }),
    ).toThrow(expect.objectContaining({ code: 'tls_invalid_name' }));
  });
});
