import { expectTypeOf } from 'vitest';
import type { OutboxFailureCode, SocketErrorCode, SocketStatus } from '../../../src/index.js';
import type { OutboxEntry, RejectedEntry } from '../../../src/outbox/index.js';

declare const status: SocketStatus;
declare const rejected: RejectedEntry;
declare const pending: OutboxEntry;

expectTypeOf(status.error?.code).toEqualTypeOf<SocketErrorCode | undefined>();
expectTypeOf(rejected.error.code).toEqualTypeOf<OutboxFailureCode>();
expectTypeOf(pending.last_error?.code).toEqualTypeOf<OutboxFailureCode | undefined>();

/** What a screen shows for each code: compiles only while the switch covers every one. */
export function socketAdvice(code: SocketErrorCode): string {
  switch (code) {
    case 'relay_insecure_url':
    case 'relay_https_only':
      return 'use the https address';
    case 'local_network_denied':
    case 'local_network_prompt':
      return 'allow local network access';
    case 'relay_unreachable':
    case 'relay_untrusted':
      return 'check the relay';
    case 'relay_token_missing':
    case 'unauthorized':
    case 'forbidden':
      return 'check the token';
    case 'invalid_payload':
    case 'not_found':
    case 'invalid_transition':
    case 'rate_limited':
    case 'too_large':
    case 'request_timeout':
    case 'storage_full':
    case 'internal':
    case 'unavailable':
    case 'order_conflict':
      return 'the relay refused';
    case 'network':
    case 'timeout':
    case 'http':
    case 'malformed_response':
    case 'storage':
    case 'not_configured':
      return 'this device';
    default:
      return code satisfies never;
  }
}

export function outboxAdvice(code: OutboxFailureCode): string {
  switch (code) {
    case 'stale':
      return 'changed on another screen';
    case 'relay_https_only':
      return 'use the https address';
    case 'relay_insecure_url':
    case 'local_network_denied':
    case 'local_network_prompt':
    case 'relay_unreachable':
    case 'relay_untrusted':
      return 'as the socket status says';
    case 'invalid_payload':
    case 'unauthorized':
    case 'forbidden':
    case 'not_found':
    case 'invalid_transition':
    case 'rate_limited':
    case 'too_large':
    case 'request_timeout':
    case 'storage_full':
    case 'internal':
    case 'unavailable':
    case 'order_conflict':
      return 'the relay answered';
    case 'network':
    case 'timeout':
    case 'http':
    case 'malformed_response':
    case 'aborted':
      return 'no answer from the relay';
    default:
      return code satisfies never;
  }
}

// A relay's own code for a plain-http request is recorded as relay_https_only in both.
// @ts-expect-error not a socket status code
export const notAStatusCode: SocketErrorCode = 'https_required';
// @ts-expect-error not an outbox failure code
export const notAFailureCode: OutboxFailureCode = 'https_required';
