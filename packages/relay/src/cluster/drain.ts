import type { FastifyInstance } from 'fastify';
import type { Socket } from 'socket.io';
import { mayDo } from '../auth/permissions.js';
import type { TokenVerifier } from '../auth/tokens.js';

export interface DrainOptions {
  /** The node's connected sockets right now. */
  sockets: () => Iterable<Socket>;
  /** Commits what is queued, then stops the relay (its normal close). */
  close: () => Promise<void>;
  /**
   * Commits what is queued and lets its acks go out, before a group is cut: a POS that sent
   * orders just before the drain gets their acks instead of retrying them elsewhere.
   */
  settle?: () => Promise<void>;
  /** Clients disconnected at once; the rest wait a step, so the other nodes take them gradually. */
  groupSize?: number;
  stepMs?: number;
}

export interface Drain {
  readonly draining: boolean;
  /** Marks the node draining, hands its clients to the others in groups, then closes it. */
  run(): Promise<void>;
}

/**
 * Graceful drain of a cluster node. /health answers 503 from the first moment so the balancer
 * stops routing here; clients are cut at the transport, so they reconnect by themselves (to
 * another node) and resume from their cursor.
 */
export function createDrain(options: DrainOptions): Drain {
  const groupSize = options.groupSize ?? 25;
  const stepMs = options.stepMs ?? 100;
  let running: Promise<void> | undefined;
  let draining = false;

  async function run() {
    draining = true;
    for (;;) {
      await options.settle?.();
      const group = [...options.sockets()].slice(0, groupSize);
      if (group.length === 0) break;
      // Closing the transport, not the socket: a socket disconnected by the server would
      // not reconnect on its own.
      for (const socket of group) socket.conn.close();
      await new Promise((resolve) => setTimeout(resolve, stepMs));
    }
    await options.close();
  }

  return {
    get draining() {
      return draining;
    },
    run() {
      running ??= run();
      return running;
    },
  };
}

/** `POST /admin/drain` (admin token): answers 202 at once and drains in the background. */
export function registerDrainRoute(
  app: FastifyInstance,
  verify: TokenVerifier,
  drain: () => Promise<void>,
): void {
  app.post('/admin/drain', async (request, reply) => {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    const principal = await verify(token).catch(() => undefined);
    if (principal === undefined) {
      return reply
        .code(401)
        .send({ error: { code: 'unauthorized', message: 'an admin token is required' } });
    }
    if (!mayDo(principal, 'admin')) {
      return reply.code(403).send({ error: { code: 'forbidden', message: 'admin only' } });
    }
    // A node serves every outlet and tenant on it: a brand's admin (a food court tenant) must
    // not be able to cut everyone else's kitchens.
    if (principal !== null && principal.tenants !== null) {
      return reply.code(403).send({
        error: {
          code: 'forbidden',
          message: 'draining a node needs an admin token for every tenant (no tenants claim)',
        },
      });
    }
    void drain();
    return reply.code(202).send({ ok: true, draining: true });
  });
}
