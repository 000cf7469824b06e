import { type Id, IdSchema, idKey, validate } from '@kitchen-sync/protocol';
import { ConfigError } from '../lib/configError.js';
import { type TokenVerifier, tokenRefusal } from './tokens.js';

/**
 * The outlets a relay serves (`--outlet`), as the relay compares ids (`1` and `"1"` are one
 * outlet), or `null` when it serves whatever outlet its tokens name (the default: a food court
 * relay serves several outlets and need not list them). An empty or malformed list cannot work.
 */
export function servedOutletsOf(outlets: readonly Id[] | undefined): readonly string[] | null {
  if (outlets === undefined) return null;
  if (outlets.length === 0) {
    throw new ConfigError(
      'outlet_invalid',
      'outlets is empty: list the outlets this relay serves, or leave it out to serve any',
    );
  }
  for (const outlet of outlets) {
    if (!validate(IdSchema, outlet).ok) {
      throw new ConfigError(
        'outlet_invalid',
        `outlet ${JSON.stringify(outlet)} is not an outlet id: an integer or a non-empty string of at most 64 characters`,
      );
    }
  }
  return [...new Set(outlets.map(idKey))];
}

/**
 * Why a bridge credential for `credentialOutlet` cannot work beside `served` (undefined when it
 * can): it would upload and pull an outlet no device of which may sign in here.
 */
export function centralOutletProblem(
  served: readonly string[] | null,
  credentialOutlet: string,
): string | undefined {
  if (served === null || served.includes(credentialOutlet)) return undefined;
  return `the central credential (--central-token-file) is for outlet ${credentialOutlet}, which this relay does not serve (--outlet ${served.join(', ')}): give it the credential of an outlet it serves, or add outlet ${credentialOutlet} to --outlet`;
}

/**
 * The verifier with a token of an unserved outlet refused (`outlet_not_served`), so every
 * place a principal is made (handshake, each HTTP request, long polls, the drain route)
 * refuses it the one way refused tokens are refused: logged, counted, in `/health`. Without
 * it a tablet given another outlet's token shows "Live" and never gets an order. A token-less
 * client of `--insecure-no-auth` (`null`) has no token to refuse.
 */
export function servedOnly(verify: TokenVerifier, served: readonly string[] | null): TokenVerifier {
  if (served === null) return verify;
  const outlets = new Set(served);
  return async (token) => {
    const principal = await verify(token);
    if (principal === null || outlets.has(principal.outlet)) return principal;
    throw tokenRefusal(
      'outlet_not_served',
      `this relay serves outlet ${served.join(', ')}, not the token's outlet ${principal.outlet}: give the device a token for an outlet this relay serves`,
      token,
      { outlet: principal.outlet },
    );
  };
}
