/** Central's WebSocket subprotocol; a second one beside it carries the socket token. */
export const CENTRAL_SUBPROTOCOL = 'kitchen-sync';
const BEARER_PREFIX = `${CENTRAL_SUBPROTOCOL}.bearer.`;

// What a Sec-WebSocket-Protocol value may hold (RFC 6455: an RFC 7230 token). A JWT's
// base64url parts and dots are in it; anything else stays in the query, as before.
const SUBPROTOCOL_CHARS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export interface CentralHandshake {
  url: string;
  protocols?: string[];
}

/**
 * How to open central's socket. A `websocket_url` with `token_in=subprotocol` (central's
 * settings view adds it when its consumer reads the token there) loses `token` and the marker,
 * and the token goes as a subprotocol: a browser prints a failed socket's URL to the console
 * and proxies log it, never this header. Without the marker central may be a release that
 * reads only `?token=` and answers no subprotocol, which the browser would refuse: the URL is
 * dialled as it is.
 */
export function centralHandshake(url: string): CentralHandshake {
  const parsed = new URL(url);
  const query = parsed.searchParams;
  const token = query.get('token');
  if (query.get('token_in') !== 'subprotocol' || !token || !SUBPROTOCOL_CHARS.test(token)) {
    return { url };
  }
  query.delete('token');
  query.delete('token_in');
  return { url: parsed.toString(), protocols: [CENTRAL_SUBPROTOCOL, BEARER_PREFIX + token] };
}
