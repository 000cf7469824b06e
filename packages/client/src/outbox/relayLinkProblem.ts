import type { OutboxFailureCode } from '../errors.js';
import type { SocketStatus } from '../socket/types.js';
import type { HttpAck } from './postEvent.js';

// What the socket knows of the relay link that an HTTP attempt only sees as `network`.
const LINK_PROBLEM = /^(relay_(insecure_url|unreachable|untrusted)|local_network_)/;

/**
 * The socket's code for the relay link, where an HTTP attempt would only say `network`, or
 * null. With `relay_insecure_url` (an https page, an http:// relay) the outbox does not even
 * try: the browser blocks the request before it leaves.
 */
export function relayLinkProblem(
  status: SocketStatus | undefined,
): Extract<HttpAck, { ok: false }> | null {
  const problem = status?.error;
  return problem && LINK_PROBLEM.test(problem.code)
    ? { ok: false, error: { code: problem.code as OutboxFailureCode, message: problem.message } }
    : null;
}
