import { KitchenSyncError } from '../errors.js';
import type { LocalNetworkState } from './localNetworkAccess.js';

/**
 * Node's TLS verification codes (socket.io-client over `ws`, undici's fetch). Browsers never
 * say why a wss/https connection failed: there a bad certificate looks like a relay that is down.
 */
const UNTRUSTED_CERTIFICATE =
  /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_(VERIFY_LEAF_SIGNATURE|GET_ISSUER_CERT(_LOCALLY)?)|CERT_(UNTRUSTED|HAS_EXPIRED|NOT_YET_VALID|REVOKED)|ERR_TLS_CERT_ALTNAME_INVALID)$/;

/** The TLS code somewhere in an error's chain (`cause`, engine.io's `description`, ws's `error`). */
export function untrustedCertificateCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined;
  const { code, cause, description, error: inner } = error as Record<string, unknown>;
  if (typeof code === 'string' && UNTRUSTED_CERTIFICATE.test(code)) return code;
  for (const next of [cause, description, inner]) {
    const found = untrustedCertificateCode(next, depth + 1);
    if (found) return found;
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
  { setupUrl, localNetwork }: RelayLinkContext,
): KitchenSyncError<
  'relay_untrusted' | 'local_network_denied' | 'local_network_prompt' | 'relay_unreachable'
> {
  const tlsCode = untrustedCertificateCode(cause);
  const details: Record<string, unknown> = { cause, setupUrl };
  if (tlsCode) return new KitchenSyncError('relay_untrusted', message, { ...details, tlsCode });
  if (localNetwork === 'denied' || localNetwork === 'prompt') {
    return new KitchenSyncError(`local_network_${localNetwork}`, message, details);
  }
  const possibleCauses = ['relay_down', 'wrong_address', 'network_down'];
  if (setupUrl) possibleCauses.push('certificate_untrusted');
  if (localNetwork === 'unknown') possibleCauses.push('local_network_blocked');
  return new KitchenSyncError('relay_unreachable', message, { ...details, possibleCauses });
}

const REASONS: Record<string, string> = {
  relay_insecure_url:
    'An https page cannot use an http:// relay: use the relay’s https:// address.',
  local_network_denied:
    'Local network access is blocked for this site: allow it in the browser’s site settings.',
  local_network_prompt: 'Allow local network access in the browser’s prompt.',
  relay_untrusted: 'This device does not trust the relay’s certificate: install the outlet CA.',
  relay_https_only: 'The relay accepts only https://: use its https:// address.',
  relay_unreachable: 'The relay cannot be reached: is it running, and this device on its network?',
  unauthorized: 'The relay refused this device’s token: sign in again.',
  relay_token_missing: 'This device has no relay token: add relay_token to the outlet settings.',
  not_configured: 'No relay or central address is set: check the outlet settings.',
  unavailable: 'This relay is shutting down and refuses new devices: reconnecting to another.',
  rate_limited: 'The relay is over one of its limits for now: trying again.',
  forbidden: 'The relay does not allow this device here.',
  timeout: 'No answer in time.',
  network: 'The server cannot be reached.',
};

/** The relay's token refusals by cause (tokenRefusal.ts): each has its own fix. */
const REFUSALS: Record<string, string> = {
  token_expired: 'The relay refused this device’s token as expired: sign in again.',
  token_invalid:
    'The relay refused this device’s token as not signed with its secret: the relay’s and central’s secrets differ.',
  relay_clock: 'The relay refused this device’s token by its clock: set the relay PC’s time.',
  outlet_not_served: 'This relay serves other outlets: this device’s token is for outlet {outlet}.',
};

/** Central's refusals (its close codes), which the relay's sentences would misname. */
const CENTRAL_REASONS: Record<string, string> = {
  unauthorized: 'Central refused this screen’s token: reload the page.',
  forbidden: 'Central does not allow this device here.',
  unavailable: 'Central is unavailable for now: retrying.',
};

/**
 * The sentence a person reads next to the status badge; `null` while nothing is wrong.
 * `side`: whose error it is, the relay's (and its polls') or central's.
 */
export function describeProblem(
  error: KitchenSyncError | null,
  side: 'relay' | 'central' = 'relay',
): string | null {
  if (!error) return null;
  const setupUrl = error.details?.setupUrl;
  const reason = (
    (side === 'central' ? CENTRAL_REASONS[error.code] : REFUSALS[`${error.details?.refusal}`]) ??
    REASONS[error.code] ??
    `Connection problem (${error.code}).`
  ).replace('{outlet}', `${error.details?.tokenOutlet ?? '?'}`);
  return /^relay_un/.test(error.code) && setupUrl ? `${reason} Setup: ${setupUrl}` : reason;
}
