import type { IncomingMessage, ServerResponse } from 'node:http';

/** One POST as the backend saw it. */
export interface RecordedPost {
  path: string;
  idempotencyKey: string | null;
  body: unknown;
  /** What the backend answered; 0 when it gave no answer ("down", or told to hang). */
  status: number;
}

/**
 * Decides the answer to a POST: an HTTP status, `'hang'` (never answer; the connection stays
 * open until the server closes), or `undefined` for the normal 201.
 */
export type AnswerRule = (post: Omit<RecordedPost, 'status'>) => number | 'hang' | undefined;

/**
 * The stand-in for the central API, served on the test server's origin under `/api/`.
 * Records every POST with its Idempotency-Key; can answer with any status or be "down"
 * (the connection is destroyed without an answer, which a fetch sees as a network error).
 */
export class TestBackend {
  /** Every POST that reached the backend, in arrival order, whatever it answered. */
  readonly posts: RecordedPost[] = [];
  /** JSON answers for GETs, by path (e.g. `/api/products/`). */
  readonly data = new Map<string, unknown>();
  /** GETs served, by path, so a test can tell the network from a cache. */
  readonly gets: string[] = [];
  down = false;
  answer: AnswerRule = () => undefined;
  readonly #watchers = new Set<() => void>();

  /**
   * Resolves once `condition` holds, re-checked after every request the backend records;
   * rejects after `timeoutMs` naming `what`.
   */
  waitFor(what: string, condition: (backend: this) => boolean, timeoutMs = 15_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition(this)) return;
        clearTimeout(timer);
        this.#watchers.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#watchers.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.#watchers.add(check);
      check();
    });
  }

  /** POSTs answered 2xx: what the backend actually took. */
  get accepted(): RecordedPost[] {
    return this.posts.filter((p) => p.status >= 200 && p.status < 300);
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const raw = await readBody(req);
    if (this.down) {
      req.socket.destroy();
      if (req.method === 'POST')
        this.#record({ path, idempotencyKey: null, body: null, status: 0 });
      return;
    }
    if (req.method === 'GET') {
      this.gets.push(path);
      if (!this.data.has(path)) return json(res, 404, { error: { code: 'not_found' } });
      return json(res, 200, this.data.get(path));
    }
    if (req.method !== 'POST') return json(res, 405, { error: { code: 'not_found' } });
    let body: unknown = null;
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
    const header = req.headers['idempotency-key'];
    const seen = { path, idempotencyKey: typeof header === 'string' ? header : null, body };
    const answer = this.answer(seen) ?? 201;
    if (answer === 'hang') {
      this.#record({ ...seen, status: 0 });
      return;
    }
    const status = answer;
    this.#record({ ...seen, status });
    json(
      res,
      status,
      status < 300
        ? { ok: true }
        : { error: { code: status >= 500 ? 'internal' : 'invalid_payload' } },
    );
  }

  #record(post: RecordedPost): void {
    this.posts.push(post);
    for (const check of [...this.#watchers]) check();
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
