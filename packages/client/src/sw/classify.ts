import { isRetryableStatus } from '../lib/retryableStatus.js';

/**
 * What a replay does with the answer to one queued order:
 * `delivered` → remove it; `retry` → keep it first in line and stop this run;
 * `rejected` → move it to the rejected list (retrying a refused order forever would block
 * every order behind it).
 */
export type ReplayOutcome = 'delivered' | 'retry' | 'rejected';

/** `status` is the HTTP status, or `null` when no answer came (network error, timeout). */
export type ClassifyResponse = (status: number | null) => ReplayOutcome;

export const classifyResponse: ClassifyResponse = (status) => {
  if (status === null) return 'retry';
  // 0 is an opaque answer: we cannot tell whether the backend took the order.
  if (status === 0) return 'retry';
  if (status < 400) return 'delivered';
  if (isRetryableStatus(status)) return 'retry';
  // The address (http:// for a server that wants https://) or the headers are wrong, not the
  // order: set aside as rejected it would wait for staff to resend it once that is fixed.
  if (status === 426 || status === 431) return 'retry';
  return 'rejected';
};
