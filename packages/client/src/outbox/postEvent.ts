import { isErrorCode, type RequestType } from '@kitchen-sync/protocol';
import type { OutboxFailureCode } from '../errors.js';
import { KitchenSyncError } from '../errors.js';
import { deadline } from '../lib/deadline.js';
import type { Environment } from '../lib/environment.js';
import type { RequestAck } from '../socket/types.js';
import type { OutboxFailure } from './types.js';

export type HttpAck = Exclude<RequestAck, { ok: false }> | { ok: false; error: OutboxFailure };

/**
 * `POST {relayUrl}/api/events` — the HTTP twin of a socket request. Resolves with the ack or
 * the relay's error (with its HTTP status); rejects with code `network` or `timeout`.
 */
export async function postEvent(
  env: Environment,
  relayUrl: string,
  token: string | null | undefined,
  type: RequestType,
  payload: unknown,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<HttpAck> {
  const request = deadline(env.timers, timeoutMs, signal);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  try {
    const response = await env.fetch(`${relayUrl.replace(/\/+$/, '')}/api/events`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ type, payload }),
      signal: request.signal,
    });
    const body = (await response.json().catch(() => null)) as Record<string, unknown> | null;
    if (response.ok && body?.ok === true) return body as unknown as HttpAck;
    const error = body?.error as { code?: unknown; message?: unknown } | undefined;
    return {
      ok: false,
      error: {
        // 426 is https_required's, and only its (one status per code): a relay with TLS reached
        // at its http:// address. The address is wrong, not the order, which waits under the
        // socket status's code for this (the relay's message names the https:// address).
        code:
          response.status === 426
            ? 'relay_https_only'
            : isErrorCode(error?.code)
              ? (error.code as OutboxFailureCode)
              : response.ok
                ? 'malformed_response'
                : 'http',
        message: typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`,
        status: response.status,
      },
    };
  } catch (cause) {
    if (request.timedOut) throw new KitchenSyncError('timeout', `no answer within ${timeoutMs} ms`);
    if (signal?.aborted) throw new KitchenSyncError('aborted', 'stopped before the answer');
    throw new KitchenSyncError('network', 'relay unreachable', { cause });
  } finally {
    request.done();
  }
}
