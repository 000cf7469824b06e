import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUTES } from '../../../src/sw/options.js';

const match = (route: keyof typeof DEFAULT_ROUTES, href: string) =>
  DEFAULT_ROUTES[route].match({
    url: new URL(href),
    request: new Request(href),
    sameOrigin: true,
  } as Parameters<(typeof DEFAULT_ROUTES)[typeof route]['match']>[0]);

describe('default cache routes', () => {
  it.each([
    ['http://kiosk.test/api/products/', true],
    ['http://kiosk.test/api/categories/?page=2', true],
    ['http://kiosk.test/api/promotions/', true],
    ['http://kiosk.test/api/products/?since_version=12', false],
    ['http://kiosk.test/api/orders/', false],
  ])('master data route matches %s: %s', (href, expected) => {
    expect(match('masterData', href)).toBe(expected);
  });

  // A sync answered from a cache says "nothing new" whether or not central is up: the menu
  // showed `synced` for the first minutes of an outage. Sync requests reach the network only.
  it('caches no master-data sync request in any route', () => {
    const sync = 'http://kiosk.test/api/products/?since_version=12';
    expect(Object.keys(DEFAULT_ROUTES).filter((route) => match(route as never, sync))).toEqual([]);
  });

  // A poll the worker answered from its cache while the relay was dead kept the kitchen at
  // "polling, no error" with nothing arriving: the relay's own API is never cached.
  it.each([
    ['https://192.168.1.10:3001/api/events?since=4&wait=25', false],
    ['https://192.168.1.10:3001/api/orders?outlet=1', false],
    ['https://central.test/api/kitchen-sync/outlets/1/settings/', true],
    ['https://central.test/api/orders/', true],
  ])('api route matches %s: %s', (href, expected) => {
    expect(match('api', href)).toBe(expected);
  });
});
