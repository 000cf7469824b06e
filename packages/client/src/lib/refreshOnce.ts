/** The app's token refresh (`refreshToken`, `onUnauthorized`). */
export type RefreshCallback = () => unknown;

/** Noted before an attempt, for `refreshOnce`: the last refresh that had ended then. */
export type RefreshesEnded = Promise<unknown> | undefined;

interface Refreshes {
  /** The token the running (else the last) refresh replaces. */
  refused?: unknown;
  /** The running, else the last, refresh; running while it is not `ended`. */
  last?: Promise<unknown>;
  ended?: RefreshesEnded;
}

// Keyed by the callback: an outbox and a socket service handed the same one (as the client
// guide wires them) share their refreshes.
const byCallback = new WeakMap<RefreshCallback, Refreshes>();

export function refreshesEnded(refresh: RefreshCallback | undefined): RefreshesEnded {
  return refresh && byCallback.get(refresh)?.ended;
}

/**
 * One refresh at a time per callback: when a token expires mid-rush, every request refused
 * with it would otherwise ask the backend at once. A refusal of the token a refresh replaces
 * gets that refresh's outcome, while it runs or when the refused attempt began before it ended
 * (`since`). A refusal of another token (a newer one) waits for it to end, then starts its
 * own: a refresh begun for an older token says nothing about a newer one.
 */
export async function refreshOnce(
  refresh: RefreshCallback,
  refused: unknown,
  since: RefreshesEnded,
): Promise<unknown> {
  const refreshes = byCallback.get(refresh) ?? {};
  byCallback.set(refresh, refreshes);
  while (refreshes.last !== refreshes.ended && refreshes.refused !== refused) {
    await refreshes.last?.catch(() => {});
  }
  if (refreshes.refused !== refused || refreshes.last === since) {
    refreshes.refused = refused;
    const last = Promise.resolve()
      .then(refresh)
      .finally(() => {
        refreshes.ended = last;
      });
    refreshes.last = last;
  }
  return refreshes.last;
}
