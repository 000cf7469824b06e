import { KitchenSyncError } from '@kitchen-sync/protocol';

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
