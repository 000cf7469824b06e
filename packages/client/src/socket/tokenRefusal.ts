/**
 * Why the relay refused a token: each has its own fix, and "sign in again" cannot fix a token
 * signed with another secret (`token_invalid`: only a signature that does not verify) nor one
 * of an outlet the relay does not serve (`outlet_not_served`, its `--outlet`). A
 * malformed, too long or oddly claimed token gets the general sentence. From the relay's coded `reason` (`connect_error`'s `data.reason`,
 * a 401's `error.reason`), else, from a relay before it, the cause it words (`data.message`,
 * "a valid bearer token is required: token expired"). `undefined` for a cause this client
 * does not know.
 */
export type TokenRefusal = 'token_expired' | 'token_invalid' | 'relay_clock' | 'outlet_not_served';

export function tokenRefusal(cause: unknown, reason?: unknown): TokenRefusal | undefined {
  const words = typeof cause === 'string' ? cause : '';
  // "token is not valid yet by the relay's clock", "… the relay's clock (…) is behind …"
  // (`token_not_yet_valid`, and `token_lifetime` when the relay's clock makes it look long).
  const clock = words.includes("relay's clock");
  if (reason === 'token_expired') return 'token_expired';
  if (reason === 'invalid_signature') return 'token_invalid';
  if (reason === 'token_not_yet_valid') return 'relay_clock';
  if (reason === 'outlet_not_served') return reason;
  if (typeof reason === 'string') return clock ? 'relay_clock' : undefined;
  if (words.includes('token expired')) return 'token_expired';
  if (clock) return 'relay_clock';
  return /token is (invalid|malformed)/.test(words) ? 'token_invalid' : undefined;
}

/**
 * A refusal's error details: its cause, and the outlet the relay read in the token (`outlet`,
 * sent with `outlet_not_served`), which the screen names. From handshake `data` or a 401's `error`.
 */
export function refusalDetails(
  said: { message?: unknown; reason?: unknown; outlet?: unknown } | undefined,
): { refusal: TokenRefusal; tokenOutlet: unknown } | undefined {
  const refusal = tokenRefusal(said?.message, said?.reason);
  return refusal && { refusal, tokenOutlet: said?.outlet };
}
