import { KitchenSyncError } from '../errors.js';
import { Backoff } from '../lib/backoff.js';
import { deadline } from '../lib/deadline.js';
import type { Environment } from '../lib/environment.js';
import { isRetryableStatus } from '../lib/retryableStatus.js';
import { type MasterDataPage, parsePage } from './pageGuard.js';
import type { Collection } from './types.js';

export interface RetryOptions {
  /** Tries per page, the first included. */
  attempts?: number | undefined;
  minDelayMs?: number | undefined;
  maxDelayMs?: number | undefined;
}

export interface PageFetcherOptions {
  baseUrl: string;
  headers?: Record<string, string> | undefined;
  /** Called before every request; a token becomes `Authorization: Bearer <token>`. */
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  /** Sent as `limit`; the server may cap it. */
  pageSize?: number | undefined;
  timeoutMs: number;
  retry: RetryOptions;
  /**
   * Whether an unreachable central (network error, timeout) is asked again. A terminal with a
   * cached menu must not wait out the backoff before it shows that menu: a tablet booting
   * offline sells from its cache at once, and the background refresh tries again later.
   */
  retryUnreachable: boolean;
}

/**
 * Fetches one page, retrying network errors, timeouts and isRetryableStatus with jittered backoff
 * up to a bounded number of attempts. A page that arrives malformed is not retried: asking again
 * would get the same answer.
 */
export async function fetchPage<C extends Collection>(
  env: Environment,
  options: PageFetcherOptions,
  collection: C,
  sinceVersion: number,
  signal: AbortSignal,
): Promise<MasterDataPage<C>> {
  const limit = options.pageSize ? `&limit=${options.pageSize}` : '';
  const url = `${options.baseUrl.replace(/\/+$/, '')}/api/${collection}/?since_version=${sinceVersion}${limit}`;
  const attempts = Math.max(1, options.retry.attempts ?? 4);
  const backoff = new Backoff({
    min: options.retry.minDelayMs ?? 1_000,
    max: options.retry.maxDelayMs ?? 30_000,
    random: env.random,
  });
  for (let attempt = 1; ; attempt++) {
    try {
      const body = await requestJson(env, options, url, signal);
      return parsePage(collection, body, sinceVersion);
    } catch (error) {
      const failure = asSyncError(error, url, attempt);
      if (!isRetryable(failure, options.retryUnreachable) || attempt >= attempts || signal.aborted)
        throw failure;
      await sleep(env, backoff.duration(), signal);
    }
  }
}

async function requestJson(
  env: Environment,
  options: PageFetcherOptions,
  url: string,
  signal: AbortSignal,
): Promise<unknown> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  const token = await options.getToken?.();
  if (token) headers.Authorization = `Bearer ${token}`;

  const request = deadline(env.timers, options.timeoutMs, signal);
  try {
    let response: Response;
    try {
      response = await env.fetch(url, { headers, signal: request.signal });
    } catch (error) {
      if (request.timedOut) throw new KitchenSyncError('timeout', `no answer from ${url}`);
      if (signal.aborted) throw new KitchenSyncError('aborted', 'master-data sync stopped');
      throw new KitchenSyncError('network', `cannot reach ${url}: ${String(error)}`);
    }
    if (!response.ok) {
      void response.body?.cancel().catch(() => undefined);
      const code =
        response.status === 401 ? 'unauthorized' : response.status === 403 ? 'forbidden' : 'http';
      throw new KitchenSyncError(code, `${url} answered ${response.status}`, {
        status: response.status,
      });
    }
    try {
      return await response.json();
    } catch (error) {
      if (request.timedOut) throw new KitchenSyncError('timeout', `body of ${url} timed out`);
      if (signal.aborted) throw new KitchenSyncError('aborted', 'master-data sync stopped');
      throw new KitchenSyncError('malformed_response', `${url} did not answer JSON`, {
        cause: String(error),
      });
    }
  } finally {
    request.done();
  }
}

function isRetryable(error: KitchenSyncError, retryUnreachable: boolean): boolean {
  if (error.code === 'network' || error.code === 'timeout') return retryUnreachable;
  const status = error.details?.status;
  return error.code === 'http' && typeof status === 'number' && isRetryableStatus(status);
}

function asSyncError(error: unknown, url: string, attempt: number): KitchenSyncError {
  const failure =
    error instanceof KitchenSyncError
      ? error
      : new KitchenSyncError('network', `${url}: ${String(error)}`);
  return new KitchenSyncError(failure.code, failure.message, {
    ...failure.details,
    url,
    attempts: attempt,
  });
}

function sleep(env: Environment, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = () => {
      env.timers.clearTimeout(timer);
      reject(new KitchenSyncError('aborted', 'master-data sync stopped'));
    };
    const timer = env.timers.setTimeout(() => {
      signal.removeEventListener('abort', stop);
      resolve();
    }, ms);
    signal.addEventListener('abort', stop, { once: true });
  });
}
