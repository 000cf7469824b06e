import type { ErrorCode, FailureAck, ValidationIssue } from '@kitchen-sync/protocol';

export function failure(code: ErrorCode, message: string, issues?: ValidationIssue[]): FailureAck {
  return { ok: false, error: issues ? { code, message, issues } : { code, message } };
}
