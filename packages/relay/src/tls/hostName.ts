import { isIP } from 'node:net';
import { TlsError } from './TlsError.js';

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * A DNS name a certificate can carry: RFC 1123 labels (letters, digits, inner hyphens, 1–63
 * characters), 253 characters at most, no wildcard, no trailing dot. An IP address is refused
 * here because browsers match addresses only against IP entries, never DNS ones.
 */
export function assertHostName(name: string): void {
  const reject = (why: string): never => {
    throw new TlsError('tls_invalid_name', `"${name}" is not a valid host name: ${why}`, { name });
  };
  if (typeof name !== 'string' || name.length === 0) reject('it is empty');
  if (isIP(name) !== 0) reject('it is an IP address; give it as an address instead');
  if (name.length > 253) reject('it is longer than 253 characters');
  const labels = name.split('.');
  for (const label of labels) {
    if (!LABEL.test(label)) {
      reject(
        label.length === 0
          ? 'it has an empty label (two dots, or a dot at an end)'
          : `the label "${label}" may hold only letters, digits and inner hyphens, 63 at most`,
      );
    }
  }
  // An all-digit last label would be read as an IPv4 address by browsers (e.g. "10.1").
  if (/^\d+$/.test(labels[labels.length - 1] as string)) reject('its last label is all digits');
}

/** The address in the form browsers and Node print it (IPv6 compressed, lower case). */
export function canonicalAddress(address: string): string {
  const family = isIP(address);
  const reject = (why: string): never => {
    throw new TlsError('tls_invalid_name', `"${address}" ${why}`, { name: address });
  };
  if (family === 0) reject('is not an IP address');
  // isIP accepts an IPv6 zone (fe80::1%eth0), which neither a URL nor a certificate can carry.
  if (address.includes('%')) {
    reject(
      'has a zone (%…), which neither a URL nor a certificate can carry; give the address without it',
    );
  }
  if (family === 4) return address;
  // The WHATWG URL parser writes IPv6 in the RFC 5952 form, which is what we compare with.
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return reject('is not an IP address');
  }
}

/**
 * An address to put in a certificate: canonical, and one a device can reach. The unspecified
 * address (0.0.0.0, ::) means "every interface" to a server, never a destination.
 */
export function certificateAddress(address: string): string {
  const canonical = canonicalAddress(address);
  if (canonical === '0.0.0.0' || canonical === '::') {
    throw new TlsError(
      'tls_invalid_name',
      `"${address}" is the unspecified address (every interface), which no device can connect to; give the relay's LAN address`,
      { name: address },
    );
  }
  return canonical;
}
