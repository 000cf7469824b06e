import 'reflect-metadata/lite';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import type { TlsReloadOutcome } from '../src/transport/tlsServer.js';
import { removeTempDirs, tempDir } from './helpers.js';
import { controllerOnServer } from './tlsHelpers.js';

afterEach(() => removeTempDirs());

it('--tls auto re-issues within one address check when the machine gets a new address', async () => {
  let addresses = ['192.168.1.10'];
  const reloads: TlsReloadOutcome[] = [];
  let onReload: (outcome: TlsReloadOutcome) => void = (outcome) => {
    reloads.push(outcome);
  };
  const { controller, server } = controllerOnServer({
    tls: { auto: { dir: tempDir('ks-tls-watch-'), names: ['relay.local'] } },
    dataDir: tempDir(),
    logger: pino({ level: 'silent' }),
    now: Date.now,
    addressCheckMs: 20,
    lanAddresses: () => addresses,
    onReload: (outcome) => onReload(outcome),
  });
  await controller.start(server);
  const first = controller.health();
  expect(first.enabled && first.subjectAltNames).toContain('IP:192.168.1.10');

  // A new DHCP lease: the certificate follows without a restart, the old address is dropped.
  const reloaded = new Promise<TlsReloadOutcome>((resolve) => {
    onReload = resolve;
  });
  addresses = ['192.168.1.23'];
  const outcome = await reloaded;
  expect(outcome).toMatchObject({ ok: true, changed: true });
  const after = controller.health();
  expect(after.enabled && after.subjectAltNames).toContain('IP:192.168.1.23');
  expect(after.enabled && after.subjectAltNames).not.toContain('IP:192.168.1.10');
  expect(after.enabled && after.fingerprint256).not.toBe(first.enabled && first.fingerprint256);
  expect(reloads).toEqual([]);
});
