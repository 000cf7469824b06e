/**
 * What a relay's connection to PostgreSQL may cost the others, enforced by the server.
 *
 * The client's own timeouts (`query_timeout`, `connectionTimeoutMillis`) only stop this node
 * from waiting: the statement goes on in PostgreSQL, and a transaction whose node froze or lost
 * its link stays open there, holding its outlet's head row, for as long as the server believes
 * the connection lives (hours, by TCP keepalive). Every other node's writes for that outlet then
 * queue behind that row lock, give up client-side, leave their statements waiting in the server,
 * and the waiting backends pile up until PostgreSQL refuses connections. So each connection
 * carries the server-side limits below, all shorter than the client's timeout: a statement the
 * client gave up on has already ended in PostgreSQL.
 */
export interface ConnectionLimits {
  /** Any statement ends in the server after this long (57014 query_canceled). */
  statement_timeout: number;
  /**
   * Waiting for a row lock (another node's batch on the outlet's head row) ends after this
   * long (55P03 lock_not_available): a healthy batch holds the row for a few round trips.
   */
  lock_timeout: number;
  /**
   * A transaction that waits for its client this long is ended and its locks released: a
   * write batch or a read transaction sends its next statement as soon as the last one
   * answers (only synchronous work runs between them), so only a frozen or cut-off node
   * idles inside one.
   */
  idle_in_transaction_session_timeout: number;
}

export function connectionLimits(clientTimeoutMs: number): ConnectionLimits {
  const part = (fraction: number) => Math.max(1, Math.round(clientTimeoutMs * fraction));
  return {
    statement_timeout: part(0.8),
    lock_timeout: part(0.5),
    idle_in_transaction_session_timeout: part(0.5),
  };
}

/**
 * TCP keepalive on the client's side: a pooled connection whose server vanished without a word
 * (a failover, a cut link) is found dead and dropped instead of failing a later write.
 */
export const KEEPALIVE_INITIAL_DELAY_MS = 10_000;
