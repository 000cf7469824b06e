import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lanBanner, lanModeRequested, lanNames, lanRelayCommand, tlsFiles } from './lanMode.mjs';

describe('pnpm start -- --lan', () => {
  it('is asked for by the flag or KS_LAN, and only then', () => {
    expect(lanModeRequested(['--lan'], {})).toBe(true);
    expect(lanModeRequested(['--', '--lan'], {})).toBe(true);
    expect(lanModeRequested([], { KS_LAN: '1' })).toBe(true);
    expect(lanModeRequested([], {})).toBe(false);
    expect(lanModeRequested([], { KS_LAN: '0' })).toBe(false);
  });

  it('names the relay <machine>.local on the LAN, plus KS_NAME, and skips a machine name that is no host name', () => {
    expect(lanNames({ onLan: true, env: {}, machineName: 'Kasir-PC' })).toEqual(['kasir-pc.local']);
    expect(
      lanNames({ onLan: true, env: { KS_NAME: 'relay.lan, kds.lan' }, machineName: 'pos.corp' }),
    ).toEqual(['pos.local', 'relay.lan', 'kds.lan']);
    expect(lanNames({ onLan: true, env: {}, machineName: 'POS_1' })).toEqual([]);
    // HOST=127.0.0.1: the mDNS name would point tablets at an address nothing listens on.
    expect(lanNames({ onLan: false, env: {}, machineName: 'kasir' })).toEqual([]);
  });

  it('runs the relay CLI with --tls auto, the names and the three pages', () => {
    const { args } = lanRelayCommand({
      root: '/repo',
      host: '0.0.0.0',
      port: 3001,
      dataDir: '/data',
      names: ['kasir.local'],
      pagesDir: (page) => `/pages/${page}`,
    });
    const serve = args.slice(args.indexOf('serve'));
    expect(serve).toEqual([
      'serve',
      '--host',
      '0.0.0.0',
      '--port',
      '3001',
      '--data-dir',
      '/data',
      '--tls',
      'auto',
      '--name',
      'kasir.local',
      '--app',
      'kiosk=/pages/kiosk',
      '--app',
      'kitchen=/pages/kitchen',
      '--app',
      'pickup=/pages/pickup',
    ]);
  });

  it('prints only https URLs, per host, and where the CA is', () => {
    const caFile = tlsFiles('/data').ca;
    const banner = lanBanner({
      hosts: ['192.168.1.10', 'kasir.local'],
      ports: { relay: 3001, central: 8000 },
      centralQuery: '',
      kitchenQuery: '?tenant=1',
      caFile,
      caFingerprint: 'AB:CD',
    });
    expect(caFile).toBe(join('/data', 'tls', 'ca.crt'));
    expect(banner).not.toMatch(/http:\/\//);
    for (const host of ['192.168.1.10', 'kasir.local']) {
      expect(banner).toContain(`https://${host}:3001/kiosk/`);
      expect(banner).toContain(`https://${host}:3001/kitchen/?tenant=1`);
      expect(banner).toContain(`https://${host}:3001/setup`);
      expect(banner).toContain(`https://${host}:8000/api/products/`);
    }
    expect(banner).toContain(`Outlet CA certificate: ${caFile}`);
    expect(banner).toContain('https://192.168.1.10:3001/ca.crt');
    expect(banner).toContain('SHA-256 AB:CD\n  (/setup on a tablet must show the same');
  });

  it('prints what docs/getting-started.md shows, line for line (… stands for the rest)', () => {
    const doc = readFileSync(new URL('../docs/getting-started.md', import.meta.url), 'utf8');
    const sample = /```\n(kitchen-sync demo is running in LAN mode[\s\S]*?)```/.exec(doc)?.[1];
    const banner = lanBanner({
      hosts: ['192.168.1.10', 'kasir-pc.local'],
      ports: { relay: 3001, central: 8000 },
      centralQuery: '',
      kitchenQuery: '?tenant=1',
      caFile: '/path/to/kitchen-sync/.data/relay/tls/ca.crt',
      caFingerprint: 'AB:CD',
    }).split('\n');
    const lines = sample?.split('\n').filter((line) => line && !line.includes('…')) ?? [];
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(banner).toContain(line);
    expect(sample).toMatch(/SHA-256 /);
  });
});
