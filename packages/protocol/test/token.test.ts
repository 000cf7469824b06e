import { describe, expect, it } from 'vitest';
import { TokenClaimsSchema, validate } from '../src/index.js';

const claims = (overrides: Record<string, unknown> = {}) => ({
  sub: 'kds-1',
  role: 'kitchen',
  outlet: 1,
  exp: 1_767_225_600,
  ...overrides,
});

describe('TokenClaimsSchema', () => {
  it.each(['pos', 'kitchen', 'monitor', 'board', 'admin'])('accepts role %s', (role) => {
    expect(validate(TokenClaimsSchema, claims({ role })).ok).toBe(true);
  });

  it.each<[string, Record<string, unknown>]>([
    ['tenants as integers and strings', { tenants: [3, 'tenant-b'] }],
    ['an empty tenants list', { tenants: [] }],
    ['a string outlet', { outlet: 'outlet-a' }],
    ['no exp', { exp: undefined }],
  ])('accepts %s', (_name, overrides) => {
    expect(validate(TokenClaimsSchema, claims(overrides)).ok).toBe(true);
  });

  it('is loose: keeps iat, iss, jti and other issuer claims', () => {
    const input = claims({ iat: 1_767_000_000, iss: 'central', jti: 'j-1', nbf: 1_767_000_000 });
    const result = validate(TokenClaimsSchema, input);
    expect(result).toEqual({ ok: true, value: input });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown role', { role: 'superuser' }, 'role'],
    ['an upper-case role', { role: 'KITCHEN' }, 'role'],
    ['a missing role', { role: undefined }, 'role'],
    ['a missing sub', { sub: undefined }, 'sub'],
    ['an empty sub', { sub: '' }, 'sub'],
    ['a sub over 64 chars', { sub: 's'.repeat(65) }, 'sub'],
    ['a missing outlet', { outlet: undefined }, 'outlet'],
    ['an empty outlet', { outlet: '' }, 'outlet'],
    ['tenants that are not a list', { tenants: 3 }, 'tenants'],
    ['an empty tenant id', { tenants: [''] }, 'tenants.0'],
    ['a string exp', { exp: '1767225600' }, 'exp'],
  ])('rejects %s', (_name, overrides, path) => {
    const result = validate(TokenClaimsSchema, claims(overrides));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_payload');
    expect(result.error.issues?.[0]?.path).toBe(path);
  });
});
