/**
 * Central's seqs as they arrive. Channels group sends from several processes can deliver 7
 * before 6, so `cursor` is the highest seq below which none is missing, not the highest seen:
 * a resume after it never skips 6. Seqs above a gap are remembered so a replay does not
 * repeat them; at most `max`, the lowest forgotten first (a repeat, never a skip).
 */
export class ContiguousSeqs {
  cursor: number | null;
  readonly #above = new Set<number>();
  readonly #max: number;

  constructor(cursor: number | null = null, max = 5_000) {
    this.cursor = cursor;
    this.#max = Math.max(1, max);
  }

  /** Records `seq`; false when it was seen (or is covered by the cursor) already. */
  add(seq: number): boolean {
    if (this.cursor === null) this.cursor = seq - 1;
    if (seq <= this.cursor || this.#above.has(seq)) return false;
    this.#above.add(seq);
    this.#close();
    if (this.#above.size > this.#max) this.#above.delete(Math.min(...this.#above));
    return true;
  }

  /** Central sent everything up to `seq` (`caught_up`): a gap its log has is healed too. */
  caughtUp(seq: number): void {
    this.cursor = seq;
    for (const s of this.#above) if (s <= seq) this.#above.delete(s);
    this.#close();
  }

  #close(): void {
    while (this.cursor !== null && this.#above.delete(this.cursor + 1)) this.cursor++;
  }
}
