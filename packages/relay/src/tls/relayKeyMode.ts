import { join } from 'node:path';
import type { Logger } from 'pino';
import { tightenModes } from '../lib/privateFiles.js';

/**
 * `--tls auto` writes relay.key 0600, but a copy restored from a backup or made by hand under a
 * umask of 022 is readable by every account, and whoever reads it can pose as the relay. Like
 * the secret file, it is made private rather than refused (a relay must not stop over it), and
 * the log says so with a code. The CA key stays refused (tls_ca_key_permissions): it mints
 * certificates every tablet trusts. Windows has no POSIX modes: the folder's ACL decides there.
 */
export function keepRelayKeyPrivate(
  dir: string,
  logger: Logger,
  platform: NodeJS.Platform = process.platform,
): void {
  const path = join(dir, 'relay.key');
  const result = tightenModes([{ path, label: path }], platform);
  for (const changed of result.changed) {
    logger.warn(
      { code: 'tls_key_permissions', path },
      `made ${changed} readable by this user only: whoever reads the relay's key can pose as the relay`,
    );
  }
  for (const failed of result.failed) {
    logger.warn(
      { code: 'tls_key_permissions', path },
      `${failed} stays readable by other users, who can pose as the relay with it: run the relay as its owner, or run: chmod 600 ${path}`,
    );
  }
}
