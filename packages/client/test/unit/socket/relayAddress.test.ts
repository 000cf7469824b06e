import { describe, expect, it } from 'vitest';
import {
  crossesIntoLocalNetwork,
  isBlockedAsMixedContent,
  isHttpsPage,
  relaySetupUrl,
} from '../../../src/socket/relayAddress.js';

describe('relay addresses', () => {
  it.each([
    ['http://192.168.1.10:3001', true],
    ['ws://relay.local:3001', true],
    ['http://relay.example.com', true],
    ['https://192.168.1.10:3443', false],
    ['wss://relay.local', false],
    ['http://localhost:3001', false],
    ['http://kds.localhost:3001', false],
    ['http://127.0.0.2:3001', false],
    ['http://[::1]:3001', false],
  ])('from a secure page, %s is blocked as mixed content: %s', (url, blocked) => {
    expect(isBlockedAsMixedContent(url, true)).toBe(blocked);
    expect(isBlockedAsMixedContent(url, false)).toBe(false);
  });

  it.each([
    ['https://pos.example.com/kiosk/', true],
    ['HTTPS://relay.local:3443/', true],
    // Secure contexts, but not https: Chromium blocks no mixed content on them.
    ['http://localhost:5173/', false],
    ['http://127.0.0.1:5173/', false],
    ['http://192.168.1.10:5173/', false],
    ['file:///index.html', false],
    [undefined, false],
  ])('a page at %s is an https page: %s', (page, https) => {
    expect(isHttpsPage(page)).toBe(https);
  });

  it.each([
    ['https://pos.example.com/', 'https://192.168.1.10:3443', true],
    ['https://pos.example.com/', 'https://relay.outlet.example.com', true],
    ['https://relay.outlet.test:3443/kiosk/', 'https://relay.outlet.test:3443', false],
    ['http://192.168.1.10:5173/', 'http://192.168.1.10:3001', false],
    ['http://10.0.0.5/', 'http://10.0.0.9:3001', false],
    ['http://172.20.1.1/', 'http://10.0.0.9:3001', false],
    ['https://relay.local/', 'https://192.168.1.10', false],
    ['https://kasir/', 'https://192.168.1.10', false],
    ['https://[fd00::5]/', 'https://192.168.1.10', false],
    ['http://localhost:5173/', 'http://192.168.1.10:3001', false],
    ['file:///index.html', 'http://192.168.1.10:3001', false],
  ])('a page at %s reaching %s crosses into the local network: %s', (page, relay, crosses) => {
    expect(crossesIntoLocalNetwork(relay, page)).toBe(crosses);
  });

  it('only an https relay has a /setup page', () => {
    expect(relaySetupUrl('https://192.168.1.10:3443/')).toBe('https://192.168.1.10:3443/setup');
    expect(relaySetupUrl('wss://relay.local')).toBe('https://relay.local/setup');
    expect(relaySetupUrl('http://192.168.1.10:3001')).toBeUndefined();
  });
});
