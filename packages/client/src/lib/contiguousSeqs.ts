import { carrySinceEvent, positionAt } from '../socket/cursor.js';
import type { CentralCursor } from '../socket/types.js';

/**
 * Central's seqs as they arrive. Channels group sends from several processes can deliver 7
 * before 6, so `cursor` is the highest seq below which none is missing, not the highest seen:
 * a resume after it never skips 6. It names the event there, central's proof that its log did
 * not go back. Seqs above a gap are remembered, with their events, so a replay does not repeat
 * them; at most `max`, the lowest forgotten first (a repeat, never a skip).
 */
export class ContiguousSeqs {
  cursor: CentralCursor | null;
  readonly #above = new Map<number, string | undefined>();
  readonly #max: number;

  constructor(cursor: CentralCursor | null = null, max = 5_000) {
    this.cursor = cursor;
    this.#max = Math.max(1, max);
  }

  /** Records `seq` and its event; false when it was seen (or is covered by the cursor) already. */
  add(seq: number, eventId?: string): boolean {
    this.cursor ??= { since: seq - 1 };
    if (seq <= this.cursor.since || this.#above.has(seq)) return false;
    this.#above.set(seq, eventId);
    this.#close();
    if (this.#above.size > this.#max) this.#above.delete(Math.min(...this.#above.keys()));
    return true;
  }

  /**
   * Central sent everything up to `at` (`caught_up`): a gap its log has is healed too. At the
   * cursor's own seq and naming no event (a central before it named one), the cursor keeps its.
   */
  caughtUp(at: CentralCursor): void {
    this.cursor = this.cursor ? carrySinceEvent(this.cursor, at) : at;
    for (const seq of this.#above.keys()) if (seq <= at.since) this.#above.delete(seq);
    this.#close();
  }

  #close(): void {
    let at = this.cursor;
    while (at && this.#above.has(at.since + 1)) {
      const since = at.since + 1;
      at = positionAt(since, this.#above.get(since));
      this.#above.delete(since);
    }
    this.cursor = at;
  }
}
