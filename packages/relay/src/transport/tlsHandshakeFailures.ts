import type { TlsHandshakeFailure } from '@kitchen-sync/protocol';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { createRecentTable } from '../lib/recentTable.js';

type Reason = TlsHandshakeFailure['reason'];

const REASONS: readonly Reason[] = [
  'certificate_untrusted',
  'certificate_expired',
  'protocol_mismatch',
  'connection_reset',
  'other',
];

/**
 * What a failed handshake says about the device: the alert it sent (a tablet without the
 * outlet CA answers "unknown CA" or "certificate unknown"), or that it hung up mid-way.
 */
export function handshakeFailureReason(error: unknown): Reason {
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  if (/UNKNOWN_CA|CERTIFICATE_UNKNOWN|BAD_CERTIFICATE|UNSUPPORTED_CERTIFICATE/.test(code)) {
    return 'certificate_untrusted';
  }
  if (code.endsWith('CERTIFICATE_EXPIRED')) return 'certificate_expired';
  if (/VERSION|PROTOCOL|NO_SHARED_CIPHER|HANDSHAKE_FAILURE|WRONG_VERSION/.test(code)) {
    return 'protocol_mismatch';
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection_reset';
  return 'other';
}

export interface TlsHandshakeFailures {
  failed(error: unknown, address: string | undefined): void;
  /** The last `recentMs`' failures by address and reason (`/health` `tls_failures`). */
  recent(): TlsHandshakeFailure[];
}

// Scanners may try from many addresses: both tables are capped (recentTable.ts), and
// `/health` shows the newest 50.
const MAX_SHOWN = 50;

/**
 * Failed TLS handshakes, so "no devices" can be told apart from "devices refuse our
 * certificate": counted by reason in `/metrics`, logged once per address per 10 minutes (with
 * how many since), and the last 10 minutes listed for `/health` and `status`.
 */
export function createTlsHandshakeFailures(options: {
  logger: Logger;
  registry: Registry;
  now: () => number;
  /** Monotonic clock (ms) for the throttle. */
  elapsed: () => number;
  logEveryMs?: number;
  recentMs?: number;
}): TlsHandshakeFailures {
  const logEveryMs = options.logEveryMs ?? 600_000;
  const recentMs = options.recentMs ?? 600_000;
  const counter = new Counter({
    name: 'kitchen_sync_tls_handshake_failures_total',
    help: 'TLS handshakes that failed, by reason (certificate_untrusted: the device does not trust the CA)',
    labelNames: ['reason'],
    registers: [options.registry],
  });
  for (const reason of REASONS) counter.inc({ reason }, 0);
  const entries = createRecentTable<TlsHandshakeFailure>(recentMs);
  // When each address was last logged; `recent()` and the counter carry the repeats.
  const logged = createRecentTable<number>(logEveryMs);

  return {
    failed(error, address = 'unknown') {
      const reason = handshakeFailureReason(error);
      counter.inc({ reason });
      const nowMs = options.elapsed();
      entries.note(`${address} ${reason}`, nowMs, (known) => ({
        address,
        reason,
        count: (known?.count ?? 0) + 1,
        last_at: new Date(options.now()).toISOString(),
      }));
      const loggedAt = logged.note(address, nowMs, (known) => known ?? Number.NEGATIVE_INFINITY);
      if (nowMs - loggedAt < logEveryMs) return;
      logged.note(address, nowMs, () => nowMs);
      options.logger.warn(
        {
          code: 'tls_handshake_failed',
          reason,
          address,
          cause: (error as { code?: unknown } | null)?.code,
        },
        reason === 'certificate_untrusted'
          ? 'a device refused the relay certificate (it does not trust the outlet CA: open /setup on it)'
          : 'a TLS handshake failed',
      );
    },
    recent() {
      return entries.rows(options.elapsed(), MAX_SHOWN);
    },
  };
}
