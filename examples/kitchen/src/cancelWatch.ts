import type { BoardListener, Ticket } from '@kitchen-sync/client/feed-views';
import type { ScreenMode } from './mode';

/** A ticket this screen showed that the POS (or central) cancelled while the kitchen had it. */
export interface CancelNotice {
  ticket: Ticket;
  /** The cashier's reason (`order:update` `reason`), when one was given. */
  reason: string | null;
  /**
   * Someone had started on it: the cook must stop and put the food aside, so the notice stays
   * until dismissed. One nobody started only needs a short notice.
   */
  started: boolean;
}

/** Whether the screen in `mode` had `ticket` in sight: a station only its own lines. */
export function shownOn(mode: ScreenMode, ticket: Ticket): boolean {
  if (mode.kind !== 'station') return true;
  return ticket.lines.some((line) => mode.stations.includes(line.station));
}

function wasStarted(ticket: Ticket): boolean {
  return (
    ticket.order.status !== 'pending' ||
    ticket.lines.some((line) => line.status === 'preparing' || line.status === 'ready')
  );
}

/**
 * Listens to the board for open tickets turning cancelled, and hands each to `onCancel` once
 * per burst. Only a change the screen sees happen counts: a reload (or the first snapshot)
 * brings cancelled orders as they are, with no "before", and nobody needs warning of those.
 */
export class CancelWatch implements BoardListener {
  readonly #mode: ScreenMode;
  readonly #onCancel: (notices: CancelNotice[]) => void;
  #pending: CancelNotice[] = [];

  constructor(mode: ScreenMode, onCancel: (notices: CancelNotice[]) => void) {
    this.#mode = mode;
    this.#onCancel = onCancel;
  }

  change(before: Ticket | null, after: Ticket | null): void {
    if (!before?.open || after?.order.status !== 'cancelled') return;
    if (!shownOn(this.#mode, before)) return;
    const reason = after.order.status_reason;
    this.#pending.push({
      ticket: after,
      reason: typeof reason === 'string' && reason.trim() !== '' ? reason.trim() : null,
      started: wasStarted(before),
    });
  }

  flush(): void {
    if (this.#pending.length === 0) return;
    const notices = this.#pending;
    this.#pending = [];
    this.#onCancel(notices);
  }
}
