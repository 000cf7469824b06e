import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { keepRelayKeyPrivate } from '../src/tls/relayKeyMode.js';
import { removeTempDirs, tempDir } from './helpers.js';
import { logLines } from './logLines.js';

afterEach(() => removeTempDirs());

function capturingLogger() {
  const { destination, lines } = logLines();
  return { logger: pino({ base: null }, destination), lines };
}

function keyIn(mode: number): { dir: string; path: string } {
  const dir = tempDir('ks-relay-key-');
  const path = join(dir, 'relay.key');
  writeFileSync(path, 'not read here');
  chmodSync(path, mode);
  return { dir, path };
}

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('keepRelayKeyPrivate', () => {
  it('makes a relay.key others can read 0600 and logs tls_key_permissions', async () => {
    const { dir, path } = keyIn(0o644);
    const { logger, lines } = capturingLogger();
    keepRelayKeyPrivate(dir, logger, 'linux');
    await new Promise((resolve) => setImmediate(resolve));
    expect(modeOf(path)).toBe(0o600);
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, code: 'tls_key_permissions', path }),
    ]);
    expect(String(lines[0]?.msg)).toContain('644 → 600');
  });

  it('says nothing for a private key or a missing one', async () => {
    const { dir, path } = keyIn(0o600);
    const { logger, lines } = capturingLogger();
    keepRelayKeyPrivate(dir, logger, 'linux');
    keepRelayKeyPrivate(tempDir('ks-relay-key-none-'), logger, 'linux');
    await new Promise((resolve) => setImmediate(resolve));
    expect(modeOf(path)).toBe(0o600);
    expect(lines).toEqual([]);
  });

  it('leaves the modes alone on Windows, where the folder ACL decides', async () => {
    const { dir, path } = keyIn(0o644);
    const { logger, lines } = capturingLogger();
    keepRelayKeyPrivate(dir, logger, 'win32');
    await new Promise((resolve) => setImmediate(resolve));
    expect(modeOf(path)).toBe(0o644);
    expect(lines).toEqual([]);
  });
});
