import 'reflect-metadata/lite';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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
