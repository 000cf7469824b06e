/** One event of an outlet's log, as the outlet socket sends it. */
export interface LoggedEvent {
  seq: number;
  event: string;
  data: unknown;
  /** Null: only the outlet-wide screens (POS, monitor) get it. */
  tenantId: string | null;
  /** When central logged it (ms since the epoch): open orders go back only so far. */
  loggedAt: number;
}

/**
 * Each outlet's events in order, numbered 1, 2, 3… per outlet, the newest `keep` of them
 * kept: what the socket replays to a screen that reconnects with `?since=`. It stands in for
 * the `OutletEvent` table of the Django app, in memory.
 */
export class OutletLog {
  #outlets = new Map<string, { head: number; events: LoggedEvent[] }>();

  constructor(
    private readonly keep = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  append(outletId: string, tenantId: string | null, event: string, data: unknown): LoggedEvent {
    let outlet = this.#outlets.get(outletId);
    if (!outlet) {
      outlet = { head: 0, events: [] };
      this.#outlets.set(outletId, outlet);
    }
    outlet.head += 1;
    const logged = { seq: outlet.head, event, data, tenantId, loggedAt: this.now() };
    outlet.events.push(logged);
    if (outlet.events.length > this.keep) outlet.events.shift();
    return logged;
  }

  /** The last seq given out; 0 before the first event. */
  head(outletId: string): number {
    return this.#outlets.get(outletId)?.head ?? 0;
  }

  /**
   * Whether a screen that saw everything up to `since` can be brought up to date from what is
   * kept: false for a cursor past the head (another log's: central's data was replaced) or
   * one from before the oldest kept event (pruned).
   */
  reaches(outletId: string, since: number): boolean {
    const outlet = this.#outlets.get(outletId);
    if (!outlet) return since === 0;
    if (since > outlet.head) return false;
    const oldest = outlet.events[0]?.seq ?? outlet.head + 1;
    return since >= oldest - 1;
  }

  /** The kept events after `since`, oldest first. */
  after(outletId: string, since: number): LoggedEvent[] {
    const events = this.#outlets.get(outletId)?.events ?? [];
    return events.filter((logged) => logged.seq > since);
  }
}
