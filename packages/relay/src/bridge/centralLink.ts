import type { Logger } from 'pino';
import { Backoff } from './backoff.js';
import type { CentralCredential } from './centralCredential.js';

// A short cap: central is back within seconds for the outlet, and the random half of each
// delay spreads a hundred outlets that lost central together over several seconds.
export const DEFAULT_BACKOFF = { minMs: 500, maxMs: 5_000, jitter: 0.5 };

export interface LinkTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** How long a request to central may take, answer included, unless told otherwise. */
export const CENTRAL_REQUEST_TIMEOUT_MS = 15_000;

/** Central's base URL with the trailing slash the bridge's relative paths need. */
export const withSlash = (url: string): string => (url.endsWith('/') ? url : `${url}/`);

/** What the uplink and the downlink both need to talk to central for one outlet. */
export interface CentralLinkOptions {
  /** The outlet of the relay credential. */
  outlet: string;
  /** Central's base URL; the bridge's paths are below it. */
  centralUrl: string;
  token: string;
  /** When given, its token is sent instead of `token` (re-read after a 401/403). */
  credential?: CentralCredential;
  logger: Logger;
  fetch?: typeof fetch;
  timers?: LinkTimers;
  random?: () => number;
  requestTimeoutMs?: number;
  backoff?: { minMs: number; maxMs: number; jitter: number };
  /** Central's HTTP `Date` header of every answer (how far this clock is off). */
  onCentralDate?: (date: string | null) => void;
}

/** Why a request to central got no answer: it took too long, or no connection was made. */
export class CentralRequestError extends Error {
  constructor(readonly code: 'central_timeout' | 'central_unreachable') {
    super(code);
  }
}

/** One link's loop: a single pending run of `tick`, one request at a time, its back-off. */
export interface CentralLink {
  readonly backoff: Backoff;
  readonly timers: LinkTimers;
  /** A request is on its way. */
  readonly busy: boolean;
  /** `path` below central's base URL. */
  url(path: string): URL;
  /** Runs the link's tick after `ms`, replacing a run still pending. */
  schedule(ms: number): void;
  /**
   * `path` below central's base, with the credential; `read` takes what it needs of the
   * answer. Aborted when the request timeout passes before `read` is done.
   */
  request<T>(path: string, init: RequestInit, read: (response: Response) => Promise<T>): Promise<T>;
  /** No more runs; a request on its way is aborted. */
  stop(): void;
}

export function createCentralLink(options: CentralLinkOptions, tick: () => void): CentralLink {
  const doFetch = options.fetch ?? globalThis.fetch;
  const timers = options.timers ?? {
    setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
    clearTimeout: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout),
  };
  const requestTimeoutMs = options.requestTimeoutMs ?? CENTRAL_REQUEST_TIMEOUT_MS;
  const base = withSlash(options.centralUrl);
  const backoff = new Backoff({
    ...(options.backoff ?? DEFAULT_BACKOFF),
    random: options.random ?? Math.random,
  });
  let timer: unknown;
  let inFlight: AbortController | null = null;

  return {
    backoff,
    timers,
    get busy() {
      return inFlight !== null;
    },
    url: (path) => new URL(path, base),
    schedule(ms) {
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = timers.setTimeout(() => {
        timer = undefined;
        tick();
      }, ms);
    },
    async request(path, init, read) {
      const controller = new AbortController();
      inFlight = controller;
      const timeout = timers.setTimeout(() => controller.abort(), requestTimeoutMs);
      try {
        let response: Response;
        try {
          response = await doFetch(new URL(path, base), {
            ...init,
            headers: {
              ...(init.headers as Record<string, string> | undefined),
              authorization: `Bearer ${options.credential?.token ?? options.token}`,
            },
            signal: controller.signal,
          });
        } catch {
          throw new CentralRequestError(
            controller.signal.aborted ? 'central_timeout' : 'central_unreachable',
          );
        }
        options.onCentralDate?.(response.headers.get('date'));
        return await read(response);
      } finally {
        timers.clearTimeout(timeout);
        inFlight = null;
      }
    },
    stop() {
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      inFlight?.abort();
    },
  };
}
