import { describe, expect, it } from 'vitest';
import { demoAddresses, probeHost } from './demoAddresses.mjs';

const interfaces = {
  lo: [{ family: 'IPv4', address: '127.0.0.1', internal: true }],
  eth0: [
    { family: 'IPv4', address: '192.168.1.10', internal: false },
    { family: 'IPv6', address: 'fe80::1', internal: false },
  ],
  wlan0: [{ family: 'IPv4', address: '10.0.0.5', internal: false }],
};

describe('the addresses pnpm start prints', () => {
  it('lists every LAN address when the demo listens on every interface', () => {
    expect(demoAddresses('0.0.0.0', interfaces)).toEqual({
      local: 'localhost',
      lan: ['192.168.1.10', '10.0.0.5'],
    });
    expect(probeHost('0.0.0.0')).toBe('127.0.0.1');
  });

  it('lists no LAN address with HOST=127.0.0.1, where nothing listens on the LAN', () => {
    expect(demoAddresses('127.0.0.1', interfaces)).toEqual({ local: '127.0.0.1', lan: [] });
    expect(probeHost('127.0.0.1')).toBe('127.0.0.1');
  });

  it('opens and probes the one address the demo is bound to', () => {
    expect(demoAddresses('192.168.1.10', interfaces)).toEqual({ local: '192.168.1.10', lan: [] });
    expect(probeHost('192.168.1.10')).toBe('192.168.1.10');
    expect(demoAddresses('::1', interfaces)).toEqual({ local: '[::1]', lan: [] });
  });
});
