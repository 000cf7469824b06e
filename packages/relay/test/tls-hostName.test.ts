import { readdirSync } from 'node:fs';
import type { NetworkInterfaceInfo } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalAddress, certificateAddress } from '../src/tls/hostName.js';
import {
  assertHostName,
  ensureOutletCertificate,
  lanAddresses,
  TlsError,
} from '../src/tls/index.js';
import { temporaryIpv6Addresses } from '../src/tls/temporaryIpv6Addresses.js';
import { removeTempDirs, tempDir } from './helpers.js';

afterEach(() => removeTempDirs());

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof TlsError ? error.code : `not a TlsError: ${error}`;
  }
  return undefined;
}

describe('assertHostName', () => {
  it.each([
    'relay.local',
    'localhost',
    'kds-1.outlet7.example.com',
    'RELAY.Local',
    `${'a'.repeat(63)}.local`,
    'xn--rlay-bpa.local',
    '7eleven.local',
  ])('accepts %s', (name) => {
    expect(codeOf(() => assertHostName(name))).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['underscore', 'relay_1.local'],
    ['leading hyphen', '-relay.local'],
    ['trailing hyphen', 'relay-.local'],
    ['empty label', 'relay..local'],
    ['leading dot', '.relay.local'],
    ['trailing dot', 'relay.local.'],
    ['wildcard', '*.relay.local'],
    ['IPv4 address', '192.168.1.10'],
    ['IPv6 address', '::1'],
    ['label over 63', `${'a'.repeat(64)}.local`],
    ['name over 253', Array.from({ length: 64 }, () => 'abc').join('.')],
    ['space', 'relay local'],
    ['all-digit last label', 'relay.123'],
    ['not punycode', 'rélay.local'],
    ['with a port', 'relay.local:3001'],
    ['a URL', 'https://relay.local'],
  ])('refuses %s with tls_invalid_name', (_why, name) => {
    expect(codeOf(() => assertHostName(name))).toBe('tls_invalid_name');
  });

  it('names the rejected value in the details', () => {
    try {
      assertHostName('relay_1.local');
      expect.unreachable();
    } catch (error) {
      expect((error as TlsError).details).toEqual({ name: 'relay_1.local' });
    }
  });
});

describe('canonicalAddress and certificateAddress', () => {
  it.each([
    ['192.168.1.10', '192.168.1.10'],
    ['FD00:0:0:0:0:0:0:2', 'fd00::2'],
    ['::1', '::1'],
  ])('writes %s as %s', (address, canonical) => {
    expect(canonicalAddress(address)).toBe(canonical);
    expect(certificateAddress(address)).toBe(canonical);
  });

  // isIP accepts a zone; new URL then threw an uncoded TypeError.
  it.each(['fe80::1%eth0', 'fd00::2%1', '999.1.1.1', 'relay.local'])(
    'refuses %s with tls_invalid_name',
    (address) => {
      expect(codeOf(() => canonicalAddress(address))).toBe('tls_invalid_name');
      expect(codeOf(() => certificateAddress(address))).toBe('tls_invalid_name');
    },
  );

  it.each(['0.0.0.0', '::', '0:0:0:0:0:0:0:0'])(
    'keeps the unspecified %s out of a certificate, but can still read it',
    (address) => {
      expect(codeOf(() => certificateAddress(address))).toBe('tls_invalid_name');
      // A certificate someone else made may list it: reading its SANs must not fail.
      expect(codeOf(() => canonicalAddress(address))).toBeUndefined();
    },
  );

  it('is what ensureOutletCertificate puts in the SAN: it refuses 0.0.0.0 before writing', async () => {
    const dir = tempDir('ks-tls-unspecified-');
    await expect(
      ensureOutletCertificate({ dir, names: ['relay.local'], addresses: ['0.0.0.0'] }),
    ).rejects.toMatchObject({ code: 'tls_invalid_name' });
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('lanAddresses', () => {
  const iface = (
    address: string,
    family: 'IPv4' | 'IPv6',
    internal = false,
  ): NetworkInterfaceInfo =>
    family === 'IPv4'
      ? {
          address,
          family,
          internal,
          netmask: '255.255.255.0',
          mac: '00:00:00:00:00:00',
          cidr: null,
        }
      : {
          address,
          family,
          internal,
          netmask: 'ffff:ffff:ffff:ffff::',
          mac: '00:00:00:00:00:00',
          cidr: null,
          scopeid: 0,
        };

  it('keeps every non-internal address, IPv6 canonical, sorted and without duplicates', () => {
    const found = lanAddresses({
      lo: [iface('127.0.0.1', 'IPv4', true), iface('::1', 'IPv6', true)],
      eth0: [
        iface('192.168.1.10', 'IPv4'),
        iface('FD00:0:0:0:0:0:0:2', 'IPv6'),
        iface('fe80::1c2b:3dff:fe4a:5b6c', 'IPv6'),
      ],
      wlan0: [iface('10.0.0.7', 'IPv4'), iface('192.168.1.10', 'IPv4')],
      usb0: [iface('169.254.12.34', 'IPv4')],
      eth1: [],
    });
    expect(found).toEqual(['10.0.0.7', '192.168.1.10', 'fd00::2']);
  });

  it('leaves out the IPv6 privacy addresses it is told of', () => {
    const found = lanAddresses(
      {
        wlan0: [
          iface('192.168.1.10', 'IPv4'),
          iface('2001:db8::1c2b:3dff:fe4a:5b6c', 'IPv6'),
          iface('2001:DB8::9A1B:2C3D:4E5F:6071', 'IPv6'),
        ],
      },
      new Set(['2001:db8::9a1b:2c3d:4e5f:6071']),
    );
    expect(found).toEqual(['192.168.1.10', '2001:db8::1c2b:3dff:fe4a:5b6c']);
  });

  it('on this machine returns no loopback and no link-local address', () => {
    for (const address of lanAddresses()) {
      expect(address).not.toMatch(/^(127\.|::1$|fe[89ab][0-9a-f]:|169\.254\.)/i);
    }
  });
});

describe('temporaryIpv6Addresses', () => {
  // /proc/net/if_inet6 of a laptop on a SLAAC network: a stable and a privacy address on
  // wlan0 (flags 00 and 01), a static one on eth0 (80 = permanent), loopback, link-local.
  const table = [
    '20010db80000000000000000000000aa 03 40 00 80     eth0',
    '20010db80000000014a4c5fffe6d7e8f 02 40 00 00    wlan0',
    '20010db8000000009a1b2c3d4e5f6071 02 40 00 01    wlan0',
    '00000000000000000000000000000001 01 80 10 80       lo',
    'fe80000000000000b0c1d2fffee3f405 02 40 20 80    wlan0',
    '',
  ].join('\n');

  it('lists the addresses the kernel flags temporary, canonical', () => {
    expect([...temporaryIpv6Addresses(() => table)]).toEqual(['2001:db8::9a1b:2c3d:4e5f:6071']);
  });

  it('knows none where the table cannot be read (Windows, macOS)', () => {
    const unreadable = () => {
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    };
    expect(temporaryIpv6Addresses(unreadable).size).toBe(0);
  });
});
