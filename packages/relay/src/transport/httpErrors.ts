import type { Socket } from 'node:net';
import type { ErrorCode } from '@kitchen-sync/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';

interface ClientErrorAnswer {
  status: number;
  code: ErrorCode;
  message: string;
}

/** What to answer a request Node's HTTP parser refused, before fastify ever saw it. */
export function clientErrorAnswer(error: { code?: string; reason?: string }): ClientErrorAnswer {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'too_large', message: 'request headers are too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      return { status: 408, code: 'request_timeout', message: 'the request arrived too slowly' };
    default:
      return {
        status: 400,
        code: 'invalid_payload',
        message: `malformed HTTP request${error.reason ? `: ${error.reason}` : ''}`,
      };
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/**
 * fastify's `clientErrorHandler`: bad chunking, Content-Length with Transfer-Encoding, two
 * Content-Lengths or oversized headers get the relay's `{ error: { code, message } }` like
 * every other failure (fastify's own answer has another shape), then the connection closes:
 * after a framing error nothing more on it can be trusted.
 */
export function answerClientError(
  error: Error & { code?: string; reason?: string },
  socket: Socket,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // As Node itself does: a response already under way must not be corrupted by a second one.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const answer = clientErrorAnswer(error);
    const body = JSON.stringify({ error: { code: answer.code, message: answer.message } });
    socket.write(
      `HTTP/1.1 ${answer.status} ${STATUS_TEXT[answer.status]}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        // A page may read why (a token too long for a header): the answer holds nothing else.
        `Access-Control-Allow-Origin: *\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** fastify's `frameworkErrors` (a malformed URL, say): the relay's error shape there too. */
export function answerFrameworkError(
  error: Error,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  reply.code(400).send({ error: { code: 'invalid_payload', message: error.message } });
}
