import { type ErrorCode, KitchenSyncError } from '@kitchen-sync/protocol';

export { KitchenSyncError };

/** Client-side codes, in addition to the protocol's error codes. */
export type ClientErrorCode =
  | 'network'
  | 'timeout'
  | 'http'
  | 'aborted'
  | 'storage'
  | 'not_started'
  | 'not_configured'
  | 'malformed_response'
  /** Master data: central went back to an empty collection; the cached one is kept. */
  | 'central_empty'
  | RelayProblemCode;

/**
 * Why the relay link is down, as the socket status reports it (`status.error.code`). Each has a
 * sentence for people in `status.reason` and a row in the deployment guide's troubleshooting.
 */
export type RelayProblemCode =
  /** A secure (https) page and an http:// or ws:// relay: the browser blocks it (mixed content). */
  | 'relay_insecure_url'
  /** The browser's Local Network Access permission is denied for this page. */
  | 'local_network_denied'
  /** Local Network Access is not yet granted: the browser waits for the user's answer. */
  | 'local_network_prompt'
  /** The relay cannot be reached (down, wrong address, or, in a browser, an untrusted certificate). */
  | 'relay_unreachable'
  /** The relay's TLS certificate is not trusted by this device (where the platform says so). */
  | 'relay_untrusted'
  /** The relay serves HTTPS only and this device was given its http:// address. */
  | 'relay_https_only'
  /** The relay wants a token and this device has none (no `token`, no `relay_token`). */
  | 'relay_token_missing';

/**
 * Every code `SocketStatus.error.code` can hold, so a `switch` over it can be exhaustive (the
 * deployment guide's troubleshooting table has a row for each). The protocol's codes arrive as
 * the relay or central sent them (a refused socket, a poll's error body), but for
 * `https_required`, which becomes `relay_https_only`.
 */
export type SocketErrorCode =
  | RelayProblemCode
  | Exclude<ErrorCode, 'https_required'>
  /** Central cannot be reached; or the relay socket could not even be created. */
  | 'network'
  /** A poll, or central's socket, got no answer in time. */
  | 'timeout'
  /** A poll was answered with an error by something that is not the relay. */
  | 'http'
  /** A poll was answered, but not with the relay's data. */
  | 'malformed_response'
  /** The cursor source (a feed's stored position) failed. */
  | 'storage'
  /** Neither a relay nor a central address. */
  | 'not_configured';

/** `SocketStatus.error`: a `KitchenSyncError` with one of `SocketErrorCode`. */
export type SocketError = KitchenSyncError<SocketErrorCode>;

/**
 * Every code an outbox entry's `last_error.code` and a rejected entry's `error.code` can hold.
 * The protocol's codes are the relay's answers (an HTTP 426 `https_required` is recorded as
 * `relay_https_only`, the socket status's code for it); `stale` is a command the relay found
 * overtaken (see `OutboxFailure.order`).
 */
export type OutboxFailureCode =
  | Exclude<ErrorCode, 'https_required'>
  | 'network'
  | 'timeout'
  | 'http'
  | 'malformed_response'
  | 'aborted'
  | 'stale'
  /** The socket status's code for the relay link (an HTTP attempt sees only `network`). */
  | Exclude<RelayProblemCode, 'relay_token_missing'>;
