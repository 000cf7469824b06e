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

  it('leaves master-data sync requests to the NetworkFirst /api route', () => {
    expect(match('api', 'http://kiosk.test/api/products/?since_version=12')).toBe(true);
  });
});
