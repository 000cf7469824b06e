import { createClient } from 'redis';
import type { StoredEvent } from '../store/EventStore.js';
import { describeRedisFailure, isOffline, type RedisFailure } from './redisFailure.js';

/** One Redis stream for every node's announcements; entries: `node`, `ms`, `events` (JSON). */
export const FANOUT_STREAM = 'kitchen-sync:committed';
/** The stream keeps about this many entries: a node away longer reads the store instead. */
const STREAM_MAX_LEN = 10_000;
const READ_COUNT = 500;
const READ_BLOCK_MS = 1_000;
/**
 * Redis answers an XREAD by the end of its BLOCK time; this much later it is hung (a stopped
 * process, a full disk under AOF) or the network to it is cut, and no command fails by itself.
 */
const ANSWER_GRACE_MS = 1_500;
const HEARTBEAT_MS = 1_000;
/** A node not heard from for this long is no longer counted in `nodes_seen`. */
const NODE_SEEN_MS = 5_000;
/** How long start() waits for Redis before the node serves without it. */
const START_WAIT_MS = 2_000;

export type FanoutState = 'up' | 'down';

export interface Announcement {
  node: string;
  /** When the announcing node committed the events (its clock). */
  committedMs: number;
  events: StoredEvent[];
}

export interface RedisFanoutOptions {
  url: string;
  nodeId: string;
  /** Another node's committed events (this node's own are not handed back). */
  onAnnouncement: (announcement: Announcement) => void;
  /** An announcement that could not be read (the store fills it in). */
  onBadAnnouncement: (error: unknown) => void;
  /**
   * The fan-out went down (with why) or came back: once per change, never per retry. Changes
   * are counted from up, so a start that reaches Redis reports nothing.
   */
  onStateChange: (change: { state: 'up' } | { state: 'down'; failure: RedisFailure }) => void;
  /** Wall clock (ms) for the commit time in announcements: other nodes compare it with theirs. */
  now?: () => number;
  /**
   * Monotonic clock (ms) for when each node was last heard: on the wall clock a step back kept a
   * stopped node in `nodes_seen` for the step, a step forward dropped live ones. Default
   * performance.now.
   */
  elapsed?: () => number;
  /** Wait between reads while Redis does not answer. */
  retryMs?: number;
}

export interface RedisFanout {
  start(): Promise<void>;
  /** Fire and forget: a lost announcement costs latency (the store fills it), never an event. */
  announce(events: readonly StoredEvent[], committedMs: number): void;
  state(): FanoutState;
  nodesSeen(): string[];
  close(): Promise<void>;
}

type Client = ReturnType<typeof createClient>;

/**
 * Announces this node's commits on a Redis stream and reads the others'. The stream, unlike
 * PUB/SUB, lets a reader that lost its connection resume after the last entry it read; what a
 * Redis restart loses the sequencer reads from the store.
 */
export function createRedisFanout(options: RedisFanoutOptions): RedisFanout {
  const now = options.now ?? Date.now;
  const elapsed = options.elapsed ?? (() => performance.now());
  const retryMs = options.retryMs ?? 250;
  const connect = (side: 'reader' | 'writer', socketTimeout?: number): Client => {
    const client = createClient({
      url: options.url,
      // Fail at once while Redis is away instead of queueing: the store covers the gap.
      disableOfflineQueue: true,
      socket: {
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000),
        ...(socketTimeout ? { socketTimeout } : {}),
      },
    });
    // A connection that fails, at start or later: the reason an offline command cannot give.
    client.on('error', (error: unknown) => failed(side, error));
    return client;
  };
  const writer = connect('writer');
  // XREAD BLOCK holds its connection: the reader needs one of its own. Its socket is never
  // quiet longer than a block unless Redis stopped answering: then it is cut, which fails the
  // read, and reconnected (a half-open connection would otherwise wait for ever).
  const reader = connect('reader', READ_BLOCK_MS + ANSWER_GRACE_MS);
  const seen = new Map<string, number>();
  // Up only while both the last read and the last write worked: a Redis that refuses writes
  // (maxmemory) while reads go on is down, and stays down instead of flapping every second.
  let readerUp = false;
  let writerUp = true;
  let reported: FanoutState = 'up';
  let closed = false;
  /** Last entry read; null until the stream's newest entry was looked up. */
  let offset: string | null = null;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let reading: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const state = (): FanoutState => (readerUp && writerUp ? 'up' : 'down');

  function worked(side: 'reader' | 'writer') {
    if (side === 'reader') readerUp = true;
    else writerUp = true;
    if (state() === 'up' && reported === 'down') {
      reported = 'up';
      options.onStateChange({ state: 'up' });
    }
  }

  function failed(side: 'reader' | 'writer', error: unknown) {
    if (closed) return;
    if (side === 'reader') readerUp = false;
    else writerUp = false;
    if (reported === 'down' || isOffline(error)) return;
    reported = 'down';
    options.onStateChange({ state: 'down', failure: describeRedisFailure(error) });
  }

  function handle(message: Record<string, string>) {
    const node = message.node ?? '';
    seen.set(node, elapsed());
    if (node === options.nodeId || !message.events) return;
    try {
      const events = JSON.parse(message.events) as StoredEvent[];
      options.onAnnouncement({ node, committedMs: Number(message.ms), events });
    } catch (error) {
      options.onBadAnnouncement(error);
    }
  }

  async function readLoop() {
    while (!closed) {
      try {
        if (offset === null) {
          // Start after the newest entry: older ones were delivered before this node was here.
          const last = await reader.xRevRange(FANOUT_STREAM, '+', '-', { COUNT: 1 });
          offset = last[0]?.id ?? '0-0';
          worked('reader');
          markReady();
        }
        const result = await reader.xRead(
          { key: FANOUT_STREAM, id: offset },
          { COUNT: READ_COUNT, BLOCK: READ_BLOCK_MS },
        );
        worked('reader');
        for (const stream of (result ?? []) as {
          messages: { id: string; message: Record<string, string> }[];
        }[]) {
          for (const entry of stream.messages) {
            offset = entry.id;
            handle(entry.message);
          }
        }
      } catch (error) {
        if (closed) return;
        failed('reader', error);
        await pause(retryMs);
      }
    }
  }

  function add(fields: Record<string, string>) {
    writer
      .xAdd(FANOUT_STREAM, '*', fields, {
        TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: STREAM_MAX_LEN },
      })
      .then(
        () => worked('writer'),
        // Redis away: the other nodes' head checks read these events from the store.
        (error: unknown) => failed('writer', error),
      );
  }

  return {
    async start() {
      // A node starts while Redis is away too: it then serves from the store until Redis is back.
      writer.connect().catch(() => undefined);
      reader.connect().catch(() => undefined);
      seen.set(options.nodeId, elapsed());
      reading = readLoop();
      await Promise.race([ready, new Promise((resolve) => setTimeout(resolve, START_WAIT_MS))]);
      add({ node: options.nodeId, ms: String(now()) });
      heartbeat = setInterval(() => add({ node: options.nodeId, ms: String(now()) }), HEARTBEAT_MS);
      heartbeat.unref();
    },
    announce(events, committedMs) {
      if (events.length === 0 || closed) return;
      add({ node: options.nodeId, ms: String(committedMs), events: JSON.stringify(events) });
    },
    state,
    nodesSeen() {
      const cutoff = elapsed() - NODE_SEEN_MS;
      return [...seen]
        .filter(([node, ms]) => node === options.nodeId || ms >= cutoff)
        .map(([node]) => node)
        .sort();
    },
    async close() {
      closed = true;
      if (heartbeat) clearInterval(heartbeat);
      wake?.();
      // The reader may sit in XREAD BLOCK: cut it rather than wait for the block to end.
      reader.destroy();
      await reading;
      await writer.close().catch(() => writer.destroy());
    },
  };
}
