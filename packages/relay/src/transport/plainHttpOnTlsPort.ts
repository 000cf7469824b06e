import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import { HTTP_STATUS_BY_CODE } from '@kitchen-sync/protocol';

// Every TLS connection opens with a handshake record, content type 22; an HTTP request line
// starts with a letter.
const TLS_HANDSHAKE = 0x16;
// Long enough for a slow tablet's first packet; the TLS handshake timeout applies after it.
const FIRST_BYTE_TIMEOUT_MS = 30_000;
// One short request and its answer; a client trickling its headers is cut off here.
const PLAIN_ANSWER_DEADLINE_MS = 30_000;
// What a Host header may hold (a name or an address, and a port): nothing else is echoed back.
const HOST_HEADER = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
// A preflight's method or header names, comma separated: nothing else is echoed back.
const HEADER_TOKENS = /^[A-Za-z0-9-]+(?:\s*,\s*[A-Za-z0-9-]+)*$/;

function answerPlainHttp(request: IncomingMessage, response: ServerResponse): void {
  const host = request.headers.host;
  const location = host && HOST_HEADER.test(host) ? `https://${host}${request.url ?? '/'}` : null;
  response.setHeader('Connection', 'close');
  response.setHeader('Cache-Control', 'no-store');
  // A page whose relay URL says http:// may read the answer, and report it (nothing else is here).
  response.setHeader('Access-Control-Allow-Origin', '*');
  // A navigation (someone typed http://) is sent on to the same address over https. Temporary:
  // a browser must not remember it if the relay is later run without TLS. A page's fetch or
  // poll is not: a client configured with http:// should fail plainly, not half-work. Browsers
  // send Sec-Fetch-Mode only to https, so over http a navigation is a request for HTML.
  const mode = request.headers['sec-fetch-mode'];
  const navigation =
    mode === 'navigate' || (mode === undefined && /text\/html/.test(request.headers.accept ?? ''));
  // A page's POST or authorised GET is preflighted first: a 426 there is a network error to
  // the page, which then never sees the 426 below. Let the preflight through to it.
  const preflight = request.headers['access-control-request-method'];
  if (request.method === 'OPTIONS' && typeof preflight === 'string') {
    const wanted = request.headers['access-control-request-headers'] ?? '';
    response
      .writeHead(204, {
        'Access-Control-Allow-Methods': HEADER_TOKENS.test(preflight) ? preflight : 'GET, POST',
        ...(HEADER_TOKENS.test(wanted) ? { 'Access-Control-Allow-Headers': wanted } : {}),
      })
      .end();
    return;
  }
  const read = request.method === 'GET' || request.method === 'HEAD';
  if (location && navigation && read && !request.headers.upgrade) {
    response.writeHead(307, { Location: location }).end();
    return;
  }
  const body = JSON.stringify({
    error: {
      code: 'https_required',
      message: `this relay serves HTTPS only: use ${location ?? 'https://'}`,
    },
  });
  response
    .writeHead(HTTP_STATUS_BY_CODE.https_required, {
      // RFC 9110 asks a 426 to name what to switch to.
      Upgrade: 'TLS/1.3, HTTP/1.1',
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    })
    .end(body);
}

/**
 * A TLS relay answers a plain `http://` request instead of closing the connection on it: a
 * browser sent to `http://relay:3001` showed "empty response" and nothing more. The first byte
 * of each connection decides; a TLS connection goes on to the server's own handshake with the
 * byte put back (Node feeds bytes already read to the TLS layer, then reads natively as usual).
 * Call before anything else listens for `connection` on `server`.
 */
export function answerPlainHttpOnTlsPort(
  server: TlsServer,
  { firstByteTimeoutMs = FIRST_BYTE_TIMEOUT_MS, plainDeadlineMs = PLAIN_ANSWER_DEADLINE_MS } = {},
): void {
  const tlsListeners = server.listeners('connection') as Array<(socket: Socket) => void>;
  server.removeAllListeners('connection');
  const plain = createServer(answerPlainHttp);

  server.on('connection', (socket: Socket) => {
    const fail = () => socket.destroy();
    socket.on('error', fail);
    socket.on('timeout', fail);
    socket.setTimeout(firstByteTimeoutMs);
    const sniff = () => {
      const first = socket.read(1) as Buffer | null;
      if (first === null) return;
      socket.off('readable', sniff);
      socket.off('error', fail);
      socket.off('timeout', fail);
      socket.setTimeout(0);
      socket.unshift(first);
      if (first[0] === TLS_HANDSHAKE) {
        for (const listener of tlsListeners) listener.call(server, socket);
        return;
      }
      // Node's HTTP timeouts only run on a server that listens, and this one never does.
      const deadline = setTimeout(fail, plainDeadlineMs);
      socket.once('close', () => clearTimeout(deadline));
      plain.emit('connection', socket);
    };
    socket.on('readable', sniff);
  });
}
