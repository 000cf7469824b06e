import { describe, expect, it } from 'vitest';
import { KitchenSyncError } from '../../../src/errors.js';
import { describeProblem } from '../../../src/socket/relayProblem.js';
import { refusalDetails, tokenRefusal } from '../../../src/socket/tokenRefusal.js';

describe('tokenRefusal', () => {
  it("reads the relay's coded reason before its words", () => {
    expect(tokenRefusal('token is invalid', 'token_expired')).toBe('token_expired');
    expect(tokenRefusal(undefined, 'token_not_yet_valid')).toBe('relay_clock');
    expect(tokenRefusal('token expired', 'invalid_signature')).toBe('token_invalid');
    // A relay clock behind the issuer's makes a token's lifetime look too long.
    const behind =
      "token lasts too long by the relay's clock (…), which is behind the token's issuer";
    expect(tokenRefusal(behind, 'token_lifetime')).toBe('relay_clock');
    // Not another secret: the general sentence, never "the secrets differ".
    expect(tokenRefusal('token is invalid', 'token_claims_invalid')).toBeUndefined();
    expect(tokenRefusal('token is too long', 'token_too_long')).toBeUndefined();
    expect(tokenRefusal('token is malformed', 'token_malformed')).toBeUndefined();
  });

  it('keeps an outlet the relay does not serve apart, with the outlet the relay read in the token', () => {
    expect(tokenRefusal('this relay serves outlet 3, …', 'outlet_not_served')).toBe(
      'outlet_not_served',
    );
    expect(refusalDetails({ message: 'x', reason: 'outlet_not_served', outlet: '7' })).toEqual({
      refusal: 'outlet_not_served',
      tokenOutlet: '7',
    });
    expect(refusalDetails({ reason: 'token_expired' })).toEqual({ refusal: 'token_expired' });
    expect(refusalDetails({ reason: 'token_malformed' })).toBeUndefined();
    expect(refusalDetails(undefined)).toBeUndefined();
  });

  it('falls back to the words of a relay that sends no reason', () => {
    expect(tokenRefusal('a valid bearer token is required: token expired')).toBe('token_expired');
    expect(tokenRefusal("token is not valid yet by the relay's clock (…)")).toBe('relay_clock');
    expect(tokenRefusal('token is malformed')).toBe('token_invalid');
    expect(tokenRefusal('a token is required', 'token_missing')).toBeUndefined();
    expect(tokenRefusal(42)).toBeUndefined();
  });
});

describe("the screen's sentence for a refused token", () => {
  it('names the outlet of a token the relay does not serve', () => {
    const error = new KitchenSyncError('unauthorized', 'relay refused the connection', {
      refusal: 'outlet_not_served',
      tokenOutlet: '7',
    });
    expect(describeProblem(error)).toBe(
      'This relay serves other outlets: this device’s token is for outlet 7.',
    );
    // The other refusals keep their sentences.
    const expired = new KitchenSyncError('unauthorized', 'x', { refusal: 'token_expired' });
    expect(describeProblem(expired)).toMatch(/expired: sign in again/);
  });
});
