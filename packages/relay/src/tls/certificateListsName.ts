import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * Whether a device that asked for `name` (its TLS SNI) finds it in `leaf`: the subject
 * alternative names as X.509 matches them (a wildcard stands for one whole left-most label),
 * never the subject CN, which browsers ignore.
 */
export function certificateListsName(leaf: X509Certificate, name: string): boolean {
  if (isIP(name)) return leaf.checkIP(name) !== undefined;
  // `relay.local.` is `relay.local` fully qualified: browsers and Node match it without the dot.
  const host = name.endsWith('.') ? name.slice(0, -1) : name;
  return leaf.checkHost(host, { subject: 'never', partialWildcards: false }) !== undefined;
}
