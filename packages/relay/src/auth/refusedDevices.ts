import type { RefusedDevice, TokenRefusalReason } from '@kitchen-sync/protocol';
import type { Logger } from 'pino';
import { createRecentTable } from '../lib/recentTable.js';

/** A device whose token was refused, as the transport saw it. */
export interface DeviceRefusal {
  reason: TokenRefusalReason;
  /** What the device was told. */
  message: string;
  /** What the device calls itself (handshake `client_id`, else its token's unverified `sub`). */
  clientId: string | undefined;
  address: string | undefined;
  transport: 'socket' | 'http';
}

export interface RefusedDevices {
  refused(refusal: DeviceRefusal): void;
  /** The devices refused in the last `recentMs`, the newest 50 (what `/health` and `status` show). */
  recent(): RefusedDevice[];
}

export interface RefusedDevicesOptions {
  logger: Logger;
  /** Wall clock (ms): when, as the operator reads it. */
  now: () => number;
  /** Monotonic clock (ms) for the throttle: a clock step must not mute or flood it. */
  elapsed: () => number;
  count: (reason: TokenRefusalReason) => void;
  /** One log line per device and reason this often at most. Default 1 min. */
  logEveryMs?: number;
  /** How long a refusal stays in `recent()`. Default 10 min. */
  recentMs?: number;
}

interface Entry {
  clientId: string;
  reason: TokenRefusalReason;
  count: number;
  lastAtIso: string;
  loggedAtMs: number;
  /** Refusals since the last log line, said in the next one. */
  unlogged: number;
}

// Made-up tokens may name a new device each time: the table is capped (recentTable.ts), and
// so are the log or the public /health: the names are the sender's to choose.
const MAX_LINES_PER_WINDOW = 20;
const MAX_SHOWN = 50;
const MAX_ID_LENGTH = 64;

/** Printable, bounded: the name comes from an unverified token and ends up in `status`. */
const printable = (id: string) => id.replace(/[^\x20-\x7e]/g, '?').slice(0, MAX_ID_LENGTH);

/**
 * Refused tokens, visible to the operator: a warning per device and reason at most once a
 * minute (with how many were refused meanwhile), a counter by reason, and the last minutes'
 * list for `/health` and `status`. Without it an expired kitchen token leaves no trace.
 */
export function createRefusedDevices(options: RefusedDevicesOptions): RefusedDevices {
  const logEveryMs = options.logEveryMs ?? 60_000;
  const recentMs = options.recentMs ?? 600_000;
  const entries = createRecentTable<Entry>(recentMs);
  // Lines written in the current window (one `logEveryMs`), and refusals left out of it.
  let windowStartMs = Number.NEGATIVE_INFINITY;
  let windowLines = 0;
  let windowSuppressed = 0;

  /** Whether this window may take one more line; a new window first says what the last left out. */
  function mayLog(nowMs: number): boolean {
    if (nowMs - windowStartMs >= logEveryMs) {
      if (windowSuppressed > 0) {
        options.logger.warn(
          { code: 'device_refused', suppressed: windowSuppressed },
          `${windowSuppressed} more device refusals were not logged one by one (over ${MAX_LINES_PER_WINDOW} a minute)`,
        );
      }
      windowStartMs = nowMs;
      windowLines = 0;
      windowSuppressed = 0;
    }
    if (windowLines >= MAX_LINES_PER_WINDOW) {
      windowSuppressed += 1;
      return false;
    }
    windowLines += 1;
    return true;
  }

  return {
    refused(refusal) {
      options.count(refusal.reason);
      const nowMs = options.elapsed();
      const clientId = printable(refusal.clientId ?? refusal.address ?? 'unknown');
      const entry = entries.note(
        `${clientId}\u0000${refusal.reason}`,
        nowMs,
        (known) =>
          known ?? {
            clientId,
            reason: refusal.reason,
            count: 0,
            lastAtIso: '',
            loggedAtMs: Number.NEGATIVE_INFINITY,
            unlogged: 0,
          },
      );
      entry.count += 1;
      entry.lastAtIso = new Date(options.now()).toISOString();
      if (nowMs - entry.loggedAtMs < logEveryMs || !mayLog(nowMs)) {
        entry.unlogged += 1;
        return;
      }
      options.logger.warn(
        {
          code: 'device_refused',
          reason: refusal.reason,
          client_id: clientId,
          address: refusal.address,
          transport: refusal.transport,
          ...(entry.unlogged > 0 ? { repeated: entry.unlogged } : {}),
        },
        `device refused: ${refusal.message}`,
      );
      entry.loggedAtMs = nowMs;
      entry.unlogged = 0;
    },
    recent() {
      return entries.rows(options.elapsed(), MAX_SHOWN).map((entry) => ({
        client_id: entry.clientId,
        reason: entry.reason,
        count: entry.count,
        last_at: entry.lastAtIso,
      }));
    },
  };
}
