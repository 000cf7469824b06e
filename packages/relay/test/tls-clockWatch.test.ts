import 'reflect-metadata/lite';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureOutletCertificate } from '../src/tls/index.js';
import type {
  RelayTlsOptions,
  TlsController,
  TlsReloadOutcome,
} from '../src/transport/tlsServer.js';
import { removeTempDirs, tempDir } from './helpers.js';
import { logLines } from './logLines.js';
import { controllerOnServer, testCa } from './tlsHelpers.js';

const DAY = 86_400_000;
const Y2001 = Date.parse('2001-01-01T08:00:00Z');

afterEach(() => removeTempDirs());

interface LogLine {
  level: number;
  msg: string;
  code?: string;
  notBefore?: string;
  caNotBefore?: string;
}

/** A controller on a clock the test moves, with its log and reload outcomes recorded. */
function controllerWith(tls: RelayTlsOptions, clock: { at: number }, addresses = ['192.168.1.10']) {
  const { destination, lines: log } = logLines<LogLine>();
  const reloads: TlsReloadOutcome[] = [];
  const waiters = new Set<() => void>();
  const { controller, server } = controllerOnServer({
    tls,
    dataDir: tempDir(),
    logger: pino({ level: 'info' }, destination),
    now: () => clock.at,
    addressCheckMs: 20,
    lanAddresses: () => addresses,
    onReload: (outcome) => {
      reloads.push(outcome);
      for (const wake of [...waiters]) wake();
    },
  });
  const nextReload = () =>
    new Promise<TlsReloadOutcome>((resolve) => {
      const wake = () => {
        waiters.delete(wake);
        resolve(reloads.at(-1) as TlsReloadOutcome);
      };
      waiters.add(wake);
    });
  return { controller, server, log, reloads, nextReload };
}

const fingerprint = (controller: TlsController) => {
  const health = controller.health();
  return health.enabled ? health.fingerprint256 : undefined;
};
const ticks = (n = 5) => new Promise((resolve) => setTimeout(resolve, 20 * n));

describe('--tls auto on a clock before this release', () => {
  it('refuses to start with tls_clock_wrong on a fresh directory, and makes no CA', async () => {
    const dir = tempDir('ks-clock-');
    const clock = { at: Y2001 };
    const { controller, server } = controllerWith({ auto: { dir, names: ['relay.local'] } }, clock);
    await expect(controller.start(server)).rejects.toMatchObject({ code: 'tls_clock_wrong' });
    expect(existsSync(join(dir, 'ca.crt'))).toBe(false);
    expect(existsSync(join(dir, 'relay.crt'))).toBe(false);
  });

  it('serves the existing certificate when a new one is due, and issues it once the clock is right', async () => {
    const dir = tempDir('ks-clock-');
    const made = await ensureOutletCertificate({
      dir,
      names: ['relay.local'],
      addresses: ['192.168.1.10', '127.0.0.1', '::1'],
    });
    const clock = { at: Y2001 };
    // Booted with another DHCP lease: a new certificate is due, but not from a clock in 2001.
    const { controller, server, log, nextReload } = controllerWith(
      { auto: { dir, names: ['relay.local'] } },
      clock,
      ['192.168.1.23'],
    );
    await controller.start(server);
    expect(fingerprint(controller)).toBe(made.material.fingerprint256);
    expect(log.filter((l) => l.code === 'tls_clock_wrong').map((l) => l.level)).toEqual([50, 40]);

    // A renewal check while the clock is still wrong: a failed reload, the certificate stays.
    expect(await controller.reload()).toMatchObject({ ok: false, code: 'tls_clock_wrong' });
    expect(fingerprint(controller)).toBe(made.material.fingerprint256);
    await ticks();
    expect(existsSync(join(dir, 'ca.crt'))).toBe(true);
    expect(readFileSync(join(dir, 'relay.crt'), 'utf8')).toBe(made.material.cert);

    // NTP sets the clock: the next check issues it.
    const reloaded = nextReload();
    clock.at = Date.now();
    expect(await reloaded).toMatchObject({ ok: true, changed: true });
    const health = controller.health();
    expect(health.enabled && health.subjectAltNames).toContain('IP:192.168.1.23');
    const leaf = new X509Certificate(readFileSync(join(dir, 'relay.crt')));
    expect(Date.parse(leaf.validFrom)).toBeGreaterThan(clock.at - 2 * DAY);
  });
});

describe('a clock that was ahead and is set right', () => {
  it('--tls auto re-issues within one check a certificate that starts in the future', async () => {
    const dir = tempDir('ks-clock-');
    const clock = { at: Date.now() + 730 * DAY };
    const { controller, server, log, nextReload } = controllerWith(
      { auto: { dir, names: ['relay.local'] } },
      clock,
    );
    await controller.start(server); // CA and leaf made two years ahead
    await ticks();
    const ahead = fingerprint(controller);
    const reloaded = nextReload();
    clock.at = Date.now();
    expect(await reloaded).toMatchObject({ ok: true, changed: true });
    expect(fingerprint(controller)).not.toBe(ahead);
    const leaf = new X509Certificate(readFileSync(join(dir, 'relay.crt')));
    expect(Date.parse(leaf.validFrom)).toBeLessThanOrEqual(clock.at - DAY);
    expect(log.some((l) => l.notBefore !== undefined && l.level === 40)).toBe(true);
    // The CA made then is not fixed by this: said as an error, with what to do, once a day.
    const caErrors = log.filter((l) => l.code === 'tls_ca_not_yet_valid');
    expect(caErrors).toHaveLength(1);
    expect(caErrors[0]?.level).toBe(50);
    expect(caErrors[0]?.msg).toContain(`move ca.crt and ca.key out of ${dir}`);
    await ticks();
    expect(log.filter((l) => l.code === 'tls_ca_not_yet_valid')).toHaveLength(1);
  });

  it('--tls auto starts with a CA that starts in the future, and says so', async () => {
    const dir = tempDir('ks-clock-');
    await ensureOutletCertificate({
      dir,
      names: ['relay.local'],
      now: new Date(Date.now() + 730 * DAY),
    });
    const { controller, server, log } = controllerWith(
      { auto: { dir, names: ['relay.local'] } },
      { at: Date.now() },
    );
    await controller.start(server);
    expect(controller.health()).toMatchObject({ enabled: true });
    expect(log.find((l) => l.code === 'tls_ca_not_yet_valid')?.caNotBefore).toBeDefined();
  });

  it('files mode warns once that the certificate is not valid yet (it cannot re-issue)', async () => {
    const later = new Date(Date.now() + 730 * DAY);
    const ca = await testCa(later);
    const pair = await ca.issue({ now: later });
    const clock = { at: later.getTime() };
    const { controller, server, log, reloads } = controllerWith(
      { certFile: pair.certFile, keyFile: pair.keyFile },
      clock,
    );
    await controller.start(server);
    clock.at = Date.now();
    await ticks(10);
    const warnings = log.filter((l) => l.notBefore !== undefined);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.level).toBe(40);
    expect(reloads).toEqual([]);
    expect(fingerprint(controller)).toBe(pair.fingerprint256);
  });
});

describe('--tls-cert on a clock before this release', () => {
  it('files mode starts with a good certificate on a clock before this release', async () => {
    const ca = await testCa();
    const pair = await ca.issue();
    const { controller, server, log } = controllerWith(
      { certFile: pair.certFile, keyFile: pair.keyFile },
      { at: Y2001 },
    );
    await controller.start(server);
    expect(fingerprint(controller)).toBe(pair.fingerprint256);
    expect(log.find((l) => l.code === 'tls_clock_wrong')?.level).toBe(40);
  });
});
