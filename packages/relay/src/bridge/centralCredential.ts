import { readFileSync } from 'node:fs';

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

/** The relay credential the bridge sends, re-read from its file when central refuses it. */
export interface CentralCredential {
  readonly token: string;
  /**
   * Central answered 401/403: reads the file again (an operator may have written a new
   * credential there). True when the token changed; a file that is unreadable, the same, or
   * not a relay credential of this outlet keeps the current one.
   */
  reload(): boolean;
}

export function createCentralCredential(
  token: string,
  file: string | undefined,
  outlet: string,
  logger: { info(o: object, m: string): void; error(o: object, m: string): void },
  read: (file: string) => string = (path) => readFileSync(path, 'utf8'),
): CentralCredential {
  let current = token;
  return {
    get token() {
      return current;
    },
    reload() {
      if (file === undefined) return false;
      let fresh: string;
      try {
        fresh = read(file).trim();
      } catch {
        return false;
      }
      if (fresh === current || fresh === '') return false;
      if (credentialOutlet(fresh) !== outlet) {
        logger.error(
          { file, outlet },
          'the central token file holds no relay credential for this outlet; keeping the one in use',
        );
        return false;
      }
      current = fresh;
      logger.info(
        { file },
        'central refused the credential; using the new one from the token file',
      );
      return true;
    },
  };
}

/** Codes with which central refuses the credential itself. */
export const CREDENTIAL_REFUSALS = new Set(['unauthorized', 'forbidden', 'http_401', 'http_403']);
