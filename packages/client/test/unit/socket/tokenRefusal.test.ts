import { describe, expect, it } from 'vitest';
import { tokenRefusal } from '../../../src/socket/tokenRefusal.js';

describe('tokenRefusal', () => {
  it("reads the relay's coded reason before its words", () => {
    expect(tokenRefusal('token is invalid', 'token_expired')).toBe('token_expired');
    expect(tokenRefusal(undefined, 'token_not_yet_valid')).toBe('relay_clock');
    expect(tokenRefusal('token expired', 'invalid_signature')).toBe('token_invalid');
    expect(tokenRefusal(undefined, 'token_claims_invalid')).toBe('token_invalid');
  });

  it('falls back to the words of a relay that sends no reason', () => {
    expect(tokenRefusal('a valid bearer token is required: token expired')).toBe('token_expired');
    expect(tokenRefusal("token is not valid yet by the relay's clock (…)")).toBe('relay_clock');
    expect(tokenRefusal('token is malformed')).toBe('token_invalid');
    expect(tokenRefusal('a token is required', 'token_missing')).toBeUndefined();
    expect(tokenRefusal(42)).toBeUndefined();
  });
});
