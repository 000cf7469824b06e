/**
 * Why the relay refused a token: each has its own fix, and "sign in again" cannot fix a token
 * signed with another secret. From the relay's coded `reason` (`connect_error`'s `data.reason`,
 * a 401's `error.reason`), else, from a relay before it, the cause it words (`data.message`,
 * "a valid bearer token is required: token expired"). `undefined` for a cause this client
 * does not know.
 */
export type TokenRefusal = 'token_expired' | 'token_invalid' | 'relay_clock';

export function tokenRefusal(cause: unknown, reason?: unknown): TokenRefusal | undefined {
  if (reason === 'token_expired') return 'token_expired';
  if (reason === 'token_not_yet_valid') return 'relay_clock';
  if (typeof reason === 'string' && reason !== 'token_missing') return 'token_invalid';
  if (typeof cause !== 'string') return undefined;
  if (cause.includes('token expired')) return 'token_expired';
  // "token is not valid yet by the relay's clock", "… the relay's clock (…) is behind …"
  if (cause.includes("relay's clock")) return 'relay_clock';
  return /token is (invalid|malformed)/.test(cause) ? 'token_invalid' : undefined;
}
