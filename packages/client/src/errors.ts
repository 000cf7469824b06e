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
  | 'malformed_response';
