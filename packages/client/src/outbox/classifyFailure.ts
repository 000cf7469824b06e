import { isRetryableStatus } from '../lib/retryableStatus.js';
import type { OutboxFailure } from './types.js';

/** What the outbox does after a failed attempt (DESIGN §4). */
export type FailureAction = 'retry' | 'refresh' | 'reject';

const RETRY_CODES = new Set([
  'network',
  'timeout',
  'rate_limited',
  'internal',
  'malformed_response',
]);
const REJECT_CODES = new Set([
  'invalid_payload',
  'invalid_transition',
  'forbidden',
  'not_found',
  'too_large',
  // The order was published before with other content: sent again, it is refused again.
  'order_conflict',
  // A v1.1 command another change overtook (see staleAnswer.ts): sent again, it would be again.
  'stale',
]);

export function classifyFailure({ code, status = 0 }: OutboxFailure): FailureAction {
  if (code === 'unauthorized' || status === 401) return 'refresh';
  // Whatever code the body names, the order is not at fault: a server error is the server's, a
  // 426 the address's (relay_https_only), a 431 the request headers' (a token too long).
  if (status >= 500 || status === 426 || status === 431 || RETRY_CODES.has(code)) return 'retry';
  if (REJECT_CODES.has(code)) return 'reject';
  // Unknown failures are retried: a lost order costs more than a stuck queue the app can show.
  return status >= 400 && !isRetryableStatus(status) ? 'reject' : 'retry';
}
