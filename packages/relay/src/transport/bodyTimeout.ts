import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';

/** What a body that does not arrive in time fails with (the error handler answers 408). */
export class BodyTimeoutError extends Error {
  readonly statusCode = 408;
  constructor(ms: number) {
    super(`the request body did not arrive within ${ms} ms`);
  }
}

/**
 * Cuts off a request body that has not fully arrived `ms` after its headers. A sender that
 * dribbles a byte every 100 ms otherwise holds a connection (and a parser) for as long as it
 * likes; Node's own request timeout is checked only every 30 s.
 */
export function useBodyTimeout(app: FastifyInstance, ms: number): void {
  if (ms <= 0) return;
  app.addHook('preParsing', async (_request, reply, payload) => {
    const body = new PassThrough();
    const timer = setTimeout(() => {
      payload.unpipe(body);
      body.destroy(new BodyTimeoutError(ms));
    }, ms);
    const stop = () => clearTimeout(timer);
    payload.once('end', stop);
    payload.once('close', stop);
    // Answered before the body was read (413 for a body over the limit): nobody listens to
    // `body` any more, and its timeout error would be an uncaught exception 10 s later.
    body.once('close', stop);
    reply.raw.once('close', stop);
    payload.once('error', (error) => {
      stop();
      body.destroy(error);
    });
    payload.pipe(body);
    // fastify answers a failed body (this timeout too) and closes the connection.
    return body;
  });
}
