import 'reflect-metadata/lite';
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { certReport } from '../src/tls/certReport.js';
import { CLOCK_FLOOR } from '../src/tls/clock.js';
import {
  ensureOutletCertificate,
  loadTlsFiles,
  type OutletCertificateOptions,
  TlsError,
} from '../src/tls/index.js';
import { removeTempDirs, tempDir } from './helpers.js';
import { PLAUSIBLE_NOW, tlsFailure } from './tlsHelpers.js';

const DAY = 86_400_000;
const NOW = PLAUSIBLE_NOW;
/** A dead CMOS battery and no NTP yet. */
const Y2001 = new Date('2001-01-01T08:00:00Z');
/** A bad RTC, two years ahead. */
const AHEAD = new Date(NOW.getTime() + 730 * DAY);

afterEach(removeTempDirs);

function outlet(dir = tempDir('ks-tls-clock-')) {
  return (overrides: Partial<OutletCertificateOptions> = {}): OutletCertificateOptions => ({
    dir,
    names: ['relay.local'],
    addresses: ['192.168.1.10'],
    now: NOW,
    ...overrides,
  });
}

function files(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

describe('a clock before this release (dead CMOS battery, no NTP)', () => {
  it('issues no CA and no certificate on a fresh directory: tls_clock_wrong, quoting the time', async () => {
    const options = outlet();
    const error = await ensureOutletCertificate(options({ now: Y2001 })).catch((e) => e);
    expect(error).toBeInstanceOf(TlsError);
    expect(error.code).toBe('tls_clock_wrong');
    expect(error.message).toContain('2001-01-01T08:00:00.000Z');
    expect(existsSync(join(options().dir, 'ca.crt'))).toBe(false);
    expect(existsSync(join(options().dir, 'ca.key'))).toBe(false);
    expect(existsSync(join(options().dir, 'relay.crt'))).toBe(false);
  });

  it('refuses just before the floor and issues at it', async () => {
    const options = outlet();
    const before = new Date(CLOCK_FLOOR.getTime() - 1);
    expect(await tlsFailure(() => ensureOutletCertificate(options({ now: before })))).toBe(
      'tls_clock_wrong',
    );
    const made = await ensureOutletCertificate(options({ now: CLOCK_FLOOR }));
    expect(made.issued).toBe('missing');
  });

  it('keeps a good CA and certificate that seem "not yet valid" instead of replacing them', async () => {
    const options = outlet();
    const made = await ensureOutletCertificate(options());
    const before = files(options().dir);
    const kept = await ensureOutletCertificate(options({ now: Y2001 }));
    expect(kept.issued).toBeNull();
    expect(kept.material.fingerprint256).toBe(made.material.fingerprint256);
    expect(files(options().dir)).toEqual(before);
  });

  it('refuses to issue when one is due (names changed), leaving the files alone', async () => {
    const options = outlet();
    await ensureOutletCertificate(options());
    const before = files(options().dir);
    expect(
      await tlsFailure(() =>
        ensureOutletCertificate(options({ now: Y2001, names: ['kds.local'] })),
      ),
    ).toBe('tls_clock_wrong');
    expect(files(options().dir)).toEqual(before);
  });

  it('judges expiry against the release date: a leaf that ended before it is due, not kept', async () => {
    const options = outlet();
    const longAgo = new Date(CLOCK_FLOOR.getTime() - 100 * DAY);
    await ensureOutletCertificate(
      options({ now: longAgo, clockFloor: new Date(0), leafDays: 30, renewBeforeDays: 0 }),
    );
    // At 2001 it looks fine; at any real time it has expired.
    expect(await tlsFailure(() => ensureOutletCertificate(options({ now: Y2001 })))).toBe(
      'tls_clock_wrong',
    );
  });

  it('loadTlsFiles accepts a certificate that only seems not started yet', async () => {
    const made = await ensureOutletCertificate(outlet()());
    const material = loadTlsFiles(made.certPath, made.keyPath, Y2001);
    expect(material.fingerprint256).toBe(made.material.fingerprint256);
  });
});

describe('a clock that was ahead and has been set right', () => {
  it('re-issues a leaf that starts in the future (not_yet_valid), valid from a day before now', async () => {
    const options = outlet();
    const first = await ensureOutletCertificate(options());
    // Booted two years ahead: the leaf looked expired and was renewed then.
    const ahead = await ensureOutletCertificate(options({ now: AHEAD }));
    expect(ahead.issued).toBe('expiring');
    // NTP sets the clock right: that leaf starts in two years.
    const fixed = await ensureOutletCertificate(options());
    expect(fixed.issued).toBe('not_yet_valid');
    const leaf = new X509Certificate(readFileSync(fixed.certPath));
    expect(new Date(leaf.validFrom)).toEqual(new Date(NOW.getTime() - DAY));
    expect(leaf.verify(new X509Certificate(readFileSync(fixed.caCertPath)).publicKey)).toBe(true);
    expect(leaf.fingerprint256).not.toBe(ahead.material.fingerprint256);
    expect(leaf.fingerprint256).not.toBe(first.material.fingerprint256);
    expect((await ensureOutletCertificate(options())).issued).toBeNull();
  });

  it('keeps a CA made while the clock was ahead, issues from it, and cert says what to do', async () => {
    const options = outlet();
    await ensureOutletCertificate(options({ now: AHEAD }));
    const fixed = await ensureOutletCertificate(options());
    expect(fixed.issued).toBe('not_yet_valid');
    const ca = new X509Certificate(readFileSync(fixed.caCertPath));
    expect(Date.parse(ca.validFrom)).toBeGreaterThan(NOW.getTime());
    expect(new X509Certificate(fixed.material.cert).verify(ca.publicKey)).toBe(true);
    const report = certReport(fixed, NOW);
    expect(report).toContain('Warning: the outlet CA is valid only from');
    expect(report).toContain(`move ca.crt and ca.key out of ${options().dir}`);
    expect(certReport(fixed, AHEAD)).not.toContain('Warning');
  });
});
