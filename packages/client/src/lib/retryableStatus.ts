/**
 * An HTTP status that says "ask again later": the server, or a proxy before it, is overloaded,
 * down or timed out, and the request itself is not wrong. 408 Request Timeout, 425 Too Early
 * (a request sent in TLS early data), 429 Too Many Requests, every 5xx. The one list the
 * master-data sync, the outbox and the service worker's order queue share.
 */
export const isRetryableStatus = (status: number): boolean =>
  status >= 500 || status === 408 || status === 425 || status === 429;
