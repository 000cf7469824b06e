import { type FailureAck, LIMITS } from '@kitchen-sync/protocol';
import { failure } from '../lib/failure.js';
import { jsonSize } from '../lib/jsonSize.js';
import { findUnstorableText } from './unstorableText.js';

/**
 * What every request the relay would store is checked for before its schema: its JSON size,
 * a nesting too deep to measure, and text central cannot store. Null when none applies.
 */
export function messageRefusal(payload: unknown, maxMessageBytes: number): FailureAck | null {
  const size = jsonSize(payload);
  if (Number.isNaN(size)) {
    return failure('invalid_payload', `nesting deeper than ${LIMITS.MAX_DEPTH} levels`);
  }
  if (size > maxMessageBytes) {
    return failure('too_large', `message is larger than ${maxMessageBytes} bytes`);
  }
  const path = findUnstorableText(payload);
  if (path === null) return null;
  const message = 'text with NUL (U+0000) or half a surrogate pair is not allowed';
  return failure('invalid_payload', `${path}: ${message}`, [{ path, message }]);
}
