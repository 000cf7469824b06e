import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError, HELP, parseCli } from '../src/cliOptions.js';
import { killAll, runCli, startCli } from './cliProcess.js';
import { SECRET } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ks-tls-cli-'));
});
afterEach(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('parseCli cert', () => {
  it('defaults the TLS directory to <data-dir>/tls and leaves addresses to detection', () => {
    expect(parseCli(['cert', '--data-dir', '/var/lib/ks', '--name', 'relay.local'], {})).toEqual({
      command: 'cert',
      tlsDir: join('/var/lib/ks', 'tls'),
      names: ['relay.local'],
    });
  });

  it('takes repeated --name and --address, and the environment when no flag is given', () => {
    expect(
      parseCli(
        [
          'cert',
          '--tls-dir',
          '/etc/ks',
          '--name',
          'a.local',
          '--name',
          'b.local',
          '--address',
          '10.0.0.2',
          '--address',
          'fd00::2',
        ],
        {},
      ),
    ).toEqual({
      command: 'cert',
      tlsDir: '/etc/ks',
      names: ['a.local', 'b.local'],
      addresses: ['10.0.0.2', 'fd00::2'],
    });
    expect(
      parseCli(['cert'], {
        KS_NAME: 'a.local, b.local',
        KS_ADDRESS: '10.0.0.2',
        KS_DATA_DIR: '/d',
      }),
    ).toEqual({
      command: 'cert',
      tlsDir: join('/d', 'tls'),
      names: ['a.local', 'b.local'],
      addresses: ['10.0.0.2'],
    });
  });

  it('refuses an invalid --name or --address with a CliError', () => {
    expect(() => parseCli(['cert', '--name', 'relay_1.local'], {})).toThrow(CliError);
    expect(() => parseCli(['cert', '--name', '192.168.1.10'], {})).toThrow(CliError);
    expect(() => parseCli(['cert', '--address', 'relay.local'], {})).toThrow(CliError);
  });

  it.each([
    ['--address', '999.1.1.1'],
    ['--address', 'fe80::1%eth0'],
    ['--address', '0.0.0.0'],
    ['--address', '::'],
  ])('refuses %s %s with tls_invalid_name, and so from KS_ADDRESS', (flag, address) => {
    const refusal = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return error instanceof CliError ? error.code : `not a CliError: ${error}`;
      }
      return undefined;
    };
    expect(refusal(() => parseCli(['cert', flag, address], {}))).toBe('tls_invalid_name');
    expect(refusal(() => parseCli(['cert'], { KS_ADDRESS: `10.0.0.2,${address}` }))).toBe(
      'tls_invalid_name',
    );
  });

  it('needs no secret', () => {
    expect(parseCli(['cert'], {}).command).toBe('cert');
  });

  it('is in the help text', () => {
    expect(HELP).toMatch(/kitchen-sync-relay cert/);
    expect(HELP).toMatch(/--tls-dir DIR/);
  });
});

describe('kitchen-sync-relay cert', () => {
  it('issues once, prints the files, names and expiry, and keeps the certificate on a second run', async () => {
    const args = ['cert', '--data-dir', dir, '--name', 'relay.local', '--address', '192.168.1.10'];
    const first = await runCli(args);
    expect(first.code).toBe(0);
    const tls = join(dir, 'tls');
    const leaf = new X509Certificate(readFileSync(join(tls, 'relay.crt')));
    expect(first.stdout).toContain(join(tls, 'ca.crt'));
    expect(first.stdout).toContain(join(tls, 'relay.crt'));
    expect(first.stdout).toContain(join(tls, 'relay.key'));
    expect(first.stdout).toContain('DNS:relay.local, IP:192.168.1.10');
    expect(first.stdout).toContain(new Date(leaf.validTo).toISOString());
    expect(first.stdout).toMatch(/^Issued a new relay certificate/);
    expect(first.stdout).toContain(`SHA-256 fingerprint: ${leaf.fingerprint256}`);
    const ca = new X509Certificate(readFileSync(join(tls, 'ca.crt')));
    expect(first.stdout).toContain(
      `CA certificate SHA-256 (compare on /setup before trusting it): ${ca.fingerprint256}`,
    );
    expect(statSync(join(tls, 'ca.key')).mode & 0o777).toBe(0o600);

    const second = await runCli(args);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/nothing was issued/);
    expect(new X509Certificate(readFileSync(join(tls, 'relay.crt'))).fingerprint256).toBe(
      leaf.fingerprint256,
    );
  });

  // The docs send operators to `cert` for the fingerprint: run beside a relay, it must find
  // what `serve --tls auto` issued current instead of re-issuing under it.
  it('run beside serve --tls auto on the same data dir, reads its certificate and issues nothing', async () => {
    const relay = await startCli(['--tls', 'auto', '--data-dir', dir], { KS_SECRET: SECRET });
    const served = readFileSync(join(dir, 'tls', 'relay.crt'), 'utf8');
    const cert = await runCli(['cert', '--data-dir', dir]);
    expect(cert.code).toBe(0);
    expect(cert.stdout).toMatch(/^The relay certificate is current; nothing was issued/);
    expect(readFileSync(join(dir, 'tls', 'relay.crt'), 'utf8')).toBe(served);
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
  });

  it('exits 2 with a clear message for an invalid host name, writing nothing', async () => {
    const out = await runCli(['cert', '--data-dir', dir, '--name', 'relay_1.local']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('relay_1.local');
    expect(out.stdout).toBe('');
    expect(() => statSync(join(dir, 'tls'))).toThrow();
  });

  it('exits 2 with tls_invalid_name for an address with a zone or the unspecified one, as for a bad one', async () => {
    for (const address of ['999.1.1.1', 'fe80::1%eth0', '0.0.0.0', '::']) {
      const out = await runCli(['cert', '--data-dir', dir, '--address', address]);
      expect(out.code).toBe(2);
      expect(out.stderr).toContain(`"${address}"`);
      expect(out.stderr).toContain('[tls_invalid_name]');
      expect(out.stderr).not.toContain('TypeError');
      expect(out.stdout).toBe('');
    }
    const fromEnv = await runCli(['cert', '--data-dir', dir], { KS_ADDRESS: 'fe80::1%eth0' });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toContain('[tls_invalid_name]');
    expect(() => statSync(join(dir, 'tls'))).toThrow();
  });

  it('exits non-zero with the code when the CA key is readable by others', async () => {
    const args = ['cert', '--data-dir', dir, '--name', 'relay.local'];
    expect((await runCli(args)).code).toBe(0);
    chmodSync(join(dir, 'tls', 'ca.key'), 0o644);
    const out = await runCli(args);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('[tls_ca_key_permissions]');
  });
});
