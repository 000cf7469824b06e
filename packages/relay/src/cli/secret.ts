import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { KitchenSyncError } from '@kitchen-sync/protocol';

/**
 * HS256 wants a key at least as long as its hash (RFC 7518 §3.2). A shorter secret still
 * works, which is the danger: one token seen on the LAN lets anyone guess it offline and
 * forge an admin token for any outlet.
 */
export const MIN_SECRET_BYTES = 32;

/** 32 random bytes as base64url: one line, safe in a file, an env var or a Django setting. */
export const newSecret = (): string => randomBytes(MIN_SECRET_BYTES).toString('base64url');

/** What to tell the operator when the secret is too short, or undefined when it is fine. */
export function weakSecretWarning(secret: string | Uint8Array | undefined): string | undefined {
  if (secret === undefined) return undefined;
  const bytes = typeof secret === 'string' ? Buffer.byteLength(secret, 'utf8') : secret.byteLength;
  if (bytes >= MIN_SECRET_BYTES) return undefined;
  return (
    `the token secret is only ${bytes} bytes (at least ${MIN_SECRET_BYTES} random ones are needed): ` +
    'a token seen on the network lets anyone guess it and forge tokens. ' +
    'Make a new one with `kitchen-sync-relay secret --secret-file <file>`, give the file to serve and ' +
    'to whatever mints tokens (central), then issue new tokens: the old ones stop working'
  );
}

/**
 * Writes a new secret to `path`, never over an existing file: replacing a secret invalidates
 * every token signed with it, which must be a deliberate act (delete the file first).
 */
export function writeSecretFile(path: string): void {
  try {
    // `wx`: created only if absent; 0600: whoever reads it can mint tokens.
    writeFileSync(path, `${newSecret()}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'EEXIST') {
      throw new KitchenSyncError(
        'secret_file_exists',
        `${path} already exists: a new secret would invalidate every token signed with it; delete the file first if that is what you want`,
      );
    }
    throw new KitchenSyncError(
      'secret_file_unwritable',
      `cannot write ${path} (${code ?? error}): give a path in a folder that exists and this user may write to`,
    );
  }
}
