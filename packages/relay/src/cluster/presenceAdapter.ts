import type { Server } from 'socket.io';
import { describeRedisFailure, isOffline, type RedisFailure } from './redisFailure.js';

/**
 * Redis answers a PING or an XADD in milliseconds; this much later it is hung (a stopped
 * process) or the network to it is cut, and the command would wait for ever: node-redis
 * times out a command only while it waits to be sent, never while it waits for its reply.
 */
const ANSWER_MS = 1_500;
/** How often the adapter's connection is asked whether Redis still answers. */
const WATCH_MS = 500;

export type PresenceState = 'up' | 'down';

export interface PresenceAdapterOptions {
  url: string;
  /** Once per change, never per retry; counted from up, like the fan-out's. */
  onStateChange: (change: { state: 'up' } | { state: 'down'; failure: RedisFailure }) => void;
  now?: () => number;
}

export interface PresenceAdapter {
  state(): PresenceState;
  /** Why it is down (the fan-out's reasons: `no_answer`, `refused`, ...); null while up. */
  reason(): RedisFailure['reason'] | null;
  close(): void;
}

/** What a publish gets while Redis does not answer: the adapter then delivers locally only. */
export class PresenceDownError extends Error {
  readonly code = 'cluster_presence_down';
}

interface PublishingAdapter {
  doPublish(message: unknown): Promise<unknown>;
  doPublishResponse(requesterUid: string, response: unknown): Promise<unknown>;
}

/**
 * The Socket.IO Redis adapter, through which presence (events with seq null) reaches the
 * clients of every node. The adapter awaits its publish to Redis before it delivers to this
 * node's own clients, and nothing bounds that wait: a hung Redis would hold every presence
 * change for good. Each publish is therefore bounded; once Redis missed a deadline, publishes
 * fail at once (the adapter delivers locally, the other nodes miss the change) until a PING
 * is answered again.
 */
export async function attachPresenceAdapter(
  io: Server,
  options: PresenceAdapterOptions,
): Promise<PresenceAdapter> {
  const now = options.now ?? Date.now;
  // Loaded only for a cluster: a relay alone never needs them.
  const [{ createClient, SocketTimeoutError }, { createAdapter }] = await Promise.all([
    import('redis'),
    import('@socket.io/redis-streams-adapter'),
  ]);
  // Its offline queue stays: the adapter's stream reader (a duplicate of this client) would
  // spin on XREADs refused at once while Redis is away.
  const client = createClient({
    url: options.url,
    socket: { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000) },
  });
  let failure: RedisFailure | null = null;
  let closed = false;

  const failed = (error: unknown) => {
    if (closed || failure || isOffline(error)) return;
    failure = describeRedisFailure(error);
    options.onStateChange({ state: 'down', failure });
  };
  const answered = () => {
    // A reply on a connection whose handshake failed (a wrong database number, credentials a
    // Redis without a password ignores) is no recovery: the client reconnects and fails again.
    if (closed || !failure || !client.isReady) return;
    failure = null;
    options.onStateChange({ state: 'up' });
  };
  // describeRedisFailure reads a socket timeout as `no_answer`.
  const noAnswer = () => new SocketTimeoutError(ANSWER_MS);

  client.on('error', failed);
  client.connect().catch(() => undefined);

  let pingSince: number | undefined;
  const watch = setInterval(() => {
    if (pingSince === undefined) {
      pingSince = now();
      client.ping().then(
        () => {
          pingSince = undefined;
          answered();
        },
        (error: unknown) => {
          pingSince = undefined;
          failed(error);
        },
      );
    } else if (now() - pingSince > ANSWER_MS) failed(noAnswer());
  }, WATCH_MS);
  watch.unref();

  const bounded = <T>(send: () => Promise<T>): Promise<T> => {
    if (failure) return Promise.reject(new PresenceDownError(failure.text));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        failed(noAnswer());
        reject(new PresenceDownError('Redis did not answer the publish in time'));
      }, ANSWER_MS);
      send().then(
        (value) => {
          clearTimeout(timer);
          answered();
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  };

  const makeAdapter = createAdapter(client, {
    streamName: 'kitchen-sync:socket.io',
    maxLen: 10_000,
  }) as unknown as (nsp: unknown) => PublishingAdapter;
  // Socket.IO calls this with `new`: a function, not an arrow.
  function BoundedAdapter(nsp: unknown): PublishingAdapter {
    const adapter = makeAdapter(nsp);
    const publish = adapter.doPublish.bind(adapter);
    const publishResponse = adapter.doPublishResponse.bind(adapter);
    adapter.doPublish = (message) => bounded(() => publish(message));
    adapter.doPublishResponse = (uid, response) => bounded(() => publishResponse(uid, response));
    return adapter;
  }
  io.adapter(BoundedAdapter as unknown as Parameters<Server['adapter']>[0]);

  return {
    state: () => (failure ? 'down' : 'up'),
    reason: () => failure?.reason ?? null,
    close() {
      closed = true;
      clearInterval(watch);
      client.destroy();
    },
  };
}
