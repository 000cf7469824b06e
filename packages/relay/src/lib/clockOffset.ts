import type { ClockHealth } from '@kitchen-sync/protocol';
import type { Logger } from 'pino';

/** An offset under this is not worth a word: a `Date` header says whole seconds, plus latency. */
export const CLOCK_OFFSET_NOTICE_S = 60;
const WARN_EVERY_MS = 3_600_000;
// A token issued in the future says nothing after a while: the clock may have been fixed.
const TOKEN_EVIDENCE_MS = 3_600_000;

export interface ClockOffset {
  /** Central answered with this `Date` header, received now. */
  centralDate(header: string | null | undefined): void;
  /** A token was issued this many seconds ahead of this clock (the relay is behind). */
  tokenAhead(seconds: number): void;
  health(): ClockHealth | undefined;
}

/**
 * Whether this machine's clock is off, and by how much: from central's HTTP `Date` on every
 * bridge answer (either way), and from tokens issued in the future (behind only). A clock off
 * by hours makes kitchen timers and token expiry wrong; it is warned once an hour at most, on
 * the monotonic clock (a step of the wall clock must not mute it).
 */
export function createClockOffset(options: {
  logger: Logger;
  now: () => number;
  elapsed: () => number;
}): ClockOffset {
  const { logger, now, elapsed } = options;
  let known: (ClockHealth & { atMs: number }) | undefined;
  let warnedAtMs = Number.NEGATIVE_INFINITY;

  function measured(offsetSeconds: number, source: ClockHealth['source']) {
    const offset = Math.round(offsetSeconds);
    if (Math.abs(offset) < CLOCK_OFFSET_NOTICE_S) {
      // Central says the clock is right (now): the offset is gone, whoever measured it.
      if (source === 'central') known = undefined;
      return;
    }
    known = {
      offsetSeconds: offset,
      source,
      measuredAt: new Date(now()).toISOString(),
      atMs: elapsed(),
    };
    if (elapsed() - warnedAtMs < WARN_EVERY_MS) return;
    warnedAtMs = elapsed();
    const reference = source === 'central' ? "central's" : "the token issuer's";
    logger.warn(
      { code: 'clock_off', offsetSeconds: offset, source, relayTime: known.measuredAt },
      `this machine's clock is ${offset > 0 ? 'ahead of' : 'behind'} ${reference} by ${Math.abs(offset)} s: kitchen timers and token expiry are wrong; set the time (enable time sync)`,
    );
  }

  return {
    centralDate(header) {
      const centralMs = header ? Date.parse(header) : Number.NaN;
      if (Number.isNaN(centralMs)) return;
      measured((now() - centralMs) / 1000, 'central');
    },
    tokenAhead(seconds) {
      // Central's word is better (both directions, every few seconds): a token does not undo it.
      if (known?.source === 'central') return;
      measured(-seconds, 'token');
    },
    health() {
      if (!known) return undefined;
      if (known.source === 'token' && elapsed() - known.atMs > TOKEN_EVIDENCE_MS) return undefined;
      const { atMs: _, ...health } = known;
      return health;
    },
  };
}
