export const ERROR_CODES = [
  'invalid_payload',
  'unauthorized',
  'forbidden',
  'not_found',
  'invalid_transition',
  'rate_limited',
  'too_large',
  'request_timeout',
  'storage_full',
  'internal',
  'unavailable',
  'https_required',
  'order_conflict',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The HTTP status each protocol error code maps to. */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  invalid_payload: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  invalid_transition: 409,
  too_large: 413,
  request_timeout: 408,
  rate_limited: 429,
  internal: 500,
  storage_full: 507,
  unavailable: 503,
  https_required: 426,
  // A publish of an order_id the relay holds with other content. The status is the IETF
  // Idempotency-Key draft's for a key reused with another payload (409 is already taken).
  order_conflict: 422,
};

export interface ValidationIssue {
  path: string;
  message: string;
}

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  issues?: ValidationIssue[];
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * The one error class of kitchen-sync. `code` is stable (tests and apps branch on it);
 * `message` is for people; `details` carries whatever helps debugging. `C` is the union of
 * codes an error can hold (`KitchenSyncError<ErrorCode>`, the client's `SocketError`); the bare
 * type takes any string, so a `switch` over its code cannot be exhaustive.
 */
export class KitchenSyncError<C extends string = string> extends Error {
  override readonly name = 'KitchenSyncError';
  readonly code: C;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: C, message: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.details = details;
  }

  toBody(): ErrorBody {
    const issues = this.details?.issues as ValidationIssue[] | undefined;
    const code = isErrorCode(this.code) ? this.code : 'internal';
    return issues ? { code, message: this.message, issues } : { code, message: this.message };
  }
}
