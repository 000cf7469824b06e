import {
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  SocketTimeoutError,
} from 'redis';

/** Why the fan-out cannot use Redis: the `reason` of its warning, stable for log alerts. */
export type RedisDownReason = 'refused' | 'auth' | 'bad_db' | 'no_answer' | 'unknown_host' | 'lost';

export interface RedisFailure {
  reason: RedisDownReason;
  /** What an operator should read in the warning. */
  text: string;
  error: unknown;
}

const TEXT: Record<RedisDownReason, string> = {
  refused: 'nothing accepts connections at the Redis address (refused)',
  auth: 'Redis refused the credentials in the Redis URL',
  bad_db: 'Redis has no database with the number in the Redis URL',
  no_answer: 'Redis does not answer (hung, or the network to it is cut)',
  unknown_host: 'the Redis host name does not resolve',
  lost: 'the connection to Redis failed',
};

/**
 * A command refused because its client has no connection (yet) says only that; the
 * connection's own error, which the client emits too, says why.
 */
export function isOffline(error: unknown): boolean {
  return error instanceof ClientOfflineError || error instanceof ClientClosedError;
}

export function describeRedisFailure(error: unknown): RedisFailure {
  const reason = downReason(error);
  return { reason, text: TEXT[reason], error };
}

function downReason(error: unknown): RedisDownReason {
  if (error instanceof SocketTimeoutError || error instanceof ConnectionTimeoutError) {
    return 'no_answer';
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'no_answer';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'unknown_host';
  const message = error instanceof Error ? error.message : '';
  // Redis' own replies: a wrong or missing password, a user without rights, SELECT out of range.
  if (/^(WRONGPASS|NOAUTH|NOPERM)\b|^ERR AUTH\b/.test(message)) return 'auth';
  if (/DB index is out of range|invalid DB index/i.test(message)) return 'bad_db';
  return 'lost';
}
