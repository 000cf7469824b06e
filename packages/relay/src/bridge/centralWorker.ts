import { Worker } from 'node:worker_threads';
import {
  CLOSE_CONNECTION_SOURCE,
  connectionClosedFlag,
  waitUntilClosed,
} from '../lib/workerConnection.js';
import { CentralRequestError } from './centralLink.js';

/** What central answered one upload: status, and its JSON body (null when it was not JSON). */
export interface CentralAnswer {
  ok: boolean;
  status: number;
  body: unknown;
}

/** One batch sent: how many events went, and central's answer. */
export interface PostedBatch {
  count: number;
  answer: CentralAnswer;
}

export interface CentralWorkerOptions {
  /** The store's file and the engine's worker source (`EventStore.workerAccess`). */
  access: { source: string; filename: string };
  outlet: string;
  /** The upload endpoint's full URL. */
  uploadUrl: string;
  /** The credential; a function is asked at every request (the token file can change). */
  token: string | (() => string);
  timeoutMs: number;
  /** The worker died: the links talk to central on their own thread from then on. */
  onFailure(error: unknown): void;
  /** Central's HTTP `Date` header of every answer (how far this clock is off). */
  onCentralDate?: (date: string | null) => void;
}

export interface CentralWorker {
  /** False once the worker died or was stopped: the links then use their own requests. */
  readonly alive: boolean;
  /** Reads the events after `since` (at most `limit`) and posts them with `head` before them. */
  upload(since: number, limit: number, head: string): Promise<PostedBatch>;
  /** GETs `url` with the credential (the downlink's poll). */
  get(url: string): Promise<CentralAnswer>;
  /** Ends the worker and waits (at most STOP_WAIT_MS) until its connection is closed. */
  stop(): void;
}

// CommonJS on purpose: an eval'd worker cannot import the relay's ESM modules.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
if (workerData.nice !== null) {
  try {
    require('node:os').setPriority(workerData.nice);
  } catch {}
}
const db = openReadConnection(workerData.filename);
const select = db.prepare(
  'SELECT body FROM events WHERE outlet_key = ? AND seq > ? ORDER BY seq LIMIT ?',
);
const inFlight = new Set();
async function request(id, url, init, count) {
  const controller = new AbortController();
  inFlight.add(controller);
  const timer = setTimeout(() => controller.abort(), workerData.timeoutMs);
  try {
    const response = await fetch(url, {
      ...init,
      headers: { ...init.headers, authorization: init.authorization },
      signal: controller.signal,
    });
    const text = await response.text();
    let body = null;
    try {
      body = JSON.parse(text);
    } catch {}
    const date = response.headers.get('date');
    parentPort.postMessage({ id, count, ok: response.ok, status: response.status, body, date });
  } catch {
    const error = controller.signal.aborted ? 'central_timeout' : 'central_unreachable';
    parentPort.postMessage({ id, error });
  } finally {
    clearTimeout(timer);
    inFlight.delete(controller);
  }
}
function upload(message) {
  const { id, since, limit, head } = message;
  let texts;
  try {
    texts = select.all(workerData.outlet, since, limit).map((row) => row.body);
  } catch (error) {
    parentPort.postMessage({ id, error: 'store_read_failed', message: String(error) });
    return;
  }
  // The envelopes as the log holds them, joined: never parsed here.
  const body = head + texts.join(',') + ']}';
  const headers = { 'content-type': 'application/json' };
  const init = { method: 'POST', headers, body, authorization: message.authorization };
  return request(id, workerData.uploadUrl, init, texts.length);
}
parentPort.on('message', (message) => {
  if (message.type === 'upload') {
    void upload(message);
    return;
  }
  if (message.type === 'get') {
    void request(message.id, message.url, { headers: {}, authorization: message.authorization }, 0);
    return;
  }
  for (const controller of inFlight) controller.abort();
  closeConnection(db);
});
`;

// Linux keeps a nice value per thread, and setpriority(0) from a thread changes that thread
// alone: the bridge, which can wait, then never takes a core from the thread serving the
// kitchens (on two cores it did, and the kitchens' p99 showed it). Elsewhere the call would
// lower the whole process, so it is made on Linux only.
const CENTRAL_THREAD_NICE = process.platform === 'linux' ? 19 : null;

// A worker that has not closed its connection by then is stuck; shutdown goes on without it
// (the commits it could have kept from the final checkpoint stay safe in relay.db-wal).
const STOP_WAIT_MS = 2_000;

type Reply =
  | { id: number; count: number; ok: boolean; status: number; body: unknown; date: string | null }
  | { id: number; error: string; message?: string };

/**
 * The bridge's requests to central, on a worker thread with its own SQLite connection: the
 * uplink's batches (read there, ~170 KB joined and posted) and the downlink's poll. On the
 * event loop a batch held the relay 1–4 ms about twice a second while a backlog drained, and
 * each `fetch` ~1–2 ms (the downlink polls every second): the kitchens' p99 publish→kitchen
 * felt both. The relay's thread only sends a message and reads the reply; the cursors and
 * central's events are written by the relay's own connection: the worker never writes.
 */
export function startCentralWorker(options: CentralWorkerOptions): CentralWorker {
  const closed = connectionClosedFlag();
  const worker = new Worker(options.access.source + CLOSE_CONNECTION_SOURCE + WORKER_SOURCE, {
    eval: true,
    workerData: {
      filename: options.access.filename,
      outlet: options.outlet,
      uploadUrl: options.uploadUrl,
      timeoutMs: options.timeoutMs,
      nice: CENTRAL_THREAD_NICE,
      closed,
    },
  });
  worker.unref();
  const pending = new Map<number, { resolve(batch: PostedBatch): void; reject(e: Error): void }>();
  const send = (message: Record<string, unknown>) => {
    if (stopped || exited) return Promise.reject(new Error('central worker stopped'));
    const id = nextId++;
    return new Promise<PostedBatch>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      const token = typeof options.token === 'function' ? options.token() : options.token;
      worker.postMessage({ ...message, id, authorization: `Bearer ${token}` });
    });
  };
  let nextId = 1;
  let stopped = false;
  let exited = false;
  const failAll = (error: Error) => {
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  worker.on('message', (reply: Reply) => {
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if ('error' in reply) {
      waiter.reject(
        reply.error === 'central_timeout' || reply.error === 'central_unreachable'
          ? new CentralRequestError(reply.error)
          : new Error(`${reply.error}: ${reply.message ?? ''}`),
      );
    } else {
      options.onCentralDate?.(reply.date);
      waiter.resolve({
        count: reply.count,
        answer: { ok: reply.ok, status: reply.status, body: reply.body },
      });
    }
  });
  const died = (error: Error) => {
    exited = true;
    failAll(error);
    if (!stopped) options.onFailure(error);
  };
  worker.on('error', died);
  worker.on('exit', (code) => {
    if (!exited) died(new Error(`central worker exited with ${code}`));
  });

  return {
    get alive() {
      return !stopped && !exited;
    },
    upload: (since, limit, head) => send({ type: 'upload', since, limit, head }),
    get: async (url) => (await send({ type: 'get', url })).answer,
    stop() {
      if (stopped) return;
      stopped = true;
      failAll(new Error('central worker stopped'));
      if (exited) return;
      worker.postMessage({ type: 'stop' });
      waitUntilClosed(closed, STOP_WAIT_MS);
    },
  };
}
