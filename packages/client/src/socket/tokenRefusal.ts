/**
 * Why the relay refused a token, coded from the cause it gives (`connect_error`'s
 * `data.message`; a 401's `error.message`, "a valid bearer token is required: token expired"):
 * each has its own fix, and "sign in again" cannot fix a token signed with another secret.
 * `undefined` for a cause this client does not know.
 */
export type TokenRefusal = 'token_expired' | 'token_invalid' | 'relay_clock';

export function tokenRefusal(cause: unknown): TokenRefusal | undefined {
  if (typeof cause !== 'string') return undefined;
  if (cause.includes('token expired')) return 'token_expired';
  // "token is not valid yet by the relay's clock", "… the relay's clock (…) is behind …"
  if (cause.includes("relay's clock")) return 'relay_clock';
  return /token is (invalid|malformed)/.test(cause) ? 'token_invalid' : undefined;
}
