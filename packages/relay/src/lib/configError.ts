/** Codes for relay settings that cannot work; the CLI prints the code beside the message. */
export type ConfigErrorCode =
  | 'tls_ca_missing'
  | 'tls_ca_unreadable'
  | 'tls_ca_invalid'
  | 'app_dir_missing'
  | 'app_dir_private'
  | 'app_prefix_invalid'
  | 'app_prefix_reserved'
  | 'app_prefix_duplicate'
  | 'store_url_missing'
  | 'cluster_redis_url_invalid'
  | 'outlet_invalid'
  | 'central_outlet_not_served';

/** A relay option that cannot work, found at start (never a silent fallback). */
export class ConfigError extends Error {
  constructor(
    readonly code: ConfigErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}
