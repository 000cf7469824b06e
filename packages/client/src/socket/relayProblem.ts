import { KitchenSyncError } from '../errors.js';
import type { LocalNetworkState } from './localNetworkAccess.js';

/**
 * Node's TLS verification codes (socket.io-client over `ws`, undici's fetch). Browsers never
 * say why a wss/https connection failed: there a bad certificate looks like a relay that is down.
 */
const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The TLS code somewhere in an error's chain (`cause`, engine.io's `description`, ws's `error`). */
export function untrustedCertificateCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0 && seen.size < 16) {
    const item = queue.shift();
    if (typeof item !== 'object' || item === null || seen.has(item)) continue;
    seen.add(item);
    const { code, cause, description, error: inner } = item as Record<string, unknown>;
    if (typeof code === 'string' && UNTRUSTED_CERTIFICATE.has(code)) return code;
    queue.push(cause, description, inner);
  }
  return undefined;
}

export interface RelayLinkContext {
  /** `https://relay/setup`, for https relays only. */
  setupUrl: string | undefined;
  /** `null` where Local Network Access does not apply to this page and relay. */
  localNetwork: LocalNetworkState | null;
}

/** Names a failed connect or poll by what the operator can do about it. */
export function relayProblem(
  cause: unknown,
  message: string,
  context: RelayLinkContext,
): KitchenSyncError {
  const { setupUrl, localNetwork } = context;
  const tlsCode = untrustedCertificateCode(cause);
  if (tlsCode) {
    return new KitchenSyncError('relay_untrusted', `${message}: ${tlsCode}`, {
      cause,
      tlsCode,
      ...(setupUrl ? { setupUrl } : {}),
    });
  }
  if (localNetwork === 'denied') {
    return new KitchenSyncError('local_network_denied', `${message}: local network access denied`, {
      cause,
    });
  }
  if (localNetwork === 'prompt') {
    return new KitchenSyncError(
      'local_network_prompt',
      `${message}: waiting for local network access`,
      {
        cause,
      },
    );
  }
  const possibleCauses = ['relay_down', 'wrong_address', 'network_down'];
  if (setupUrl) possibleCauses.push('certificate_untrusted');
  if (localNetwork === 'unknown') possibleCauses.push('local_network_blocked');
  return new KitchenSyncError('relay_unreachable', message, {
    cause,
    possibleCauses,
    ...(setupUrl ? { setupUrl } : {}),
  });
}

/** The sentence a person reads next to the status badge; `null` while nothing is wrong. */
export function describeProblem(error: KitchenSyncError | null): string | null {
  if (!error) return null;
  const setupUrl = typeof error.details?.setupUrl === 'string' ? error.details.setupUrl : null;
  switch (error.code) {
    case 'relay_insecure_url':
      return 'This page is secure (https) but the relay address is not, so the browser blocks it. Use the relay’s https:// address.';
    case 'local_network_denied':
      return 'The browser is not allowed to reach the local network from this page. Allow “Local network access” for this site in the browser’s site settings.';
    case 'local_network_prompt':
      return 'Waiting for permission to reach the local network: answer the browser’s prompt with “Allow”.';
    case 'relay_untrusted':
      return `This device does not trust the relay’s certificate. Install the outlet certificate${setupUrl ? ` from ${setupUrl}` : ''}.`;
    case 'relay_unreachable':
      return `The relay cannot be reached. Check that it is running and that this device is on the outlet network.${setupUrl ? ` If it is running, this device may not trust its certificate yet: open ${setupUrl}.` : ''}`;
    case 'unauthorized':
      return 'The relay refused this device’s access token. Sign in again or re-register the device.';
    case 'forbidden':
      return 'The relay does not allow this device here (wrong outlet or tenant).';
    case 'timeout':
      return 'The server does not answer in time.';
    case 'network':
      return 'The server cannot be reached.';
    default:
      return `Connection problem (${error.code}).`;
  }
}
