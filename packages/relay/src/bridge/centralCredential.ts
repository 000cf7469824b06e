/**
 * The outlet a relay credential is for, read from its claims without checking the
 * signature (central checks it; the relay only needs to know which outlet's log to send).
 * `null` when the token is not a JWT with role `relay` and an outlet.
 */
export function credentialOutlet(token: string): string | null {
  const payload = token.split('.')[1];
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const { role, outlet } = (claims ?? {}) as { role?: unknown; outlet?: unknown };
  if (role !== 'relay' || (typeof outlet !== 'string' && typeof outlet !== 'number')) return null;
  return String(outlet);
}
