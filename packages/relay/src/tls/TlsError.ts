export type TlsErrorCode =
  | 'tls_cert_missing'
  | 'tls_cert_unreadable'
  | 'tls_cert_invalid'
  | 'tls_cert_expired'
  | 'tls_key_missing'
  | 'tls_key_unreadable'
  | 'tls_key_invalid'
  | 'tls_key_mismatch'
  | 'tls_ca_key_permissions'
  | 'tls_ca_mismatch'
  | 'tls_ca_expired'
  | 'tls_invalid_name'
  | 'tls_clock_wrong'
  | 'tls_dir_unwritable';

export interface TlsErrorDetails {
  /** The file the error is about, when there is one. */
  path?: string;
  /** The rejected host name or address, for tls_invalid_name. */
  name?: string;
  /** The system's code (EROFS, EACCES, ...), for tls_dir_unwritable. */
  cause?: string;
}

/** Every certificate problem the relay reports: a stable `code` for programs, a message for people. */
export class TlsError extends Error {
  readonly code: TlsErrorCode;
  readonly details: TlsErrorDetails;

  constructor(code: TlsErrorCode, message: string, details: TlsErrorDetails = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'TlsError';
    this.code = code;
    this.details = details;
  }
}
