import { describe, expect, it } from 'vitest';
import { setupUrls } from '../src/cli/setupUrls.js';

describe('setupUrls', () => {
  it('keeps the address a relay listens on when a tablet can open it', () => {
    expect(setupUrls('https://192.168.1.10:3001', () => ['10.0.0.7'])).toEqual([
      'https://192.168.1.10:3001/setup',
    ]);
    expect(setupUrls('https://[fd00::2]:3001', () => [])).toEqual(['https://[fd00::2]:3001/setup']);
  });

  it('lists the LAN addresses, IPv6 in brackets, for a relay on every interface', () => {
    const lan = () => ['192.168.1.10', 'fd00::2'];
    const expected = ['https://192.168.1.10:3001/setup', 'https://[fd00::2]:3001/setup'];
    expect(setupUrls('https://0.0.0.0:3001', lan)).toEqual(expected);
    expect(setupUrls('https://[::]:3001', lan)).toEqual(expected);
  });

  it('falls back to localhost on a machine without a LAN address', () => {
    expect(setupUrls('https://0.0.0.0:3001', () => [])).toEqual(['https://localhost:3001/setup']);
  });
});
