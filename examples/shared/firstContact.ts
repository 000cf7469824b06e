/**
 * A tablet that has never reached central has no relay address and no relay token: nothing to
 * start from. It waits for central, saying why, and asks again with backoff rather than showing
 * a blank page once and giving up.
 */
export interface FirstContactWait {
  /** The client's code for the failure (`network`, `timeout`, `http`, `malformed_response`). */
  code: string;
  /** Failed attempts so far. */
  attempt: number;
  /** When the next attempt goes. */
  retryInMs: number;
}

export interface FirstContactOptions {
  onWaiting(wait: FirstContactWait): void;
  /** The first wait; it doubles up to `maxDelayMs`. */
  firstDelayMs?: number;
  maxDelayMs?: number;
}

const codeOf = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'network';
};

/** Runs `load` until it resolves, reporting each failure and the wait before the next try. */
export async function loadOnceReachable<T>(
  load: () => Promise<T>,
  { onWaiting, firstDelayMs = 1_000, maxDelayMs = 30_000 }: FirstContactOptions,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await load();
    } catch (error) {
      const retryInMs = Math.min(firstDelayMs * 2 ** (attempt - 1), maxDelayMs);
      onWaiting({ code: codeOf(error), attempt, retryInMs });
      await new Promise((resolve) => setTimeout(resolve, retryInMs));
    }
  }
}

/** What is wrong, for the person holding the tablet; the code goes beside it for support. */
export function firstContactText({ code, retryInMs }: FirstContactWait): string {
  const retry = `Trying again in ${Math.round(retryInMs / 1000)} s.`;
  if (code === 'network' || code === 'timeout') {
    return (
      `This tablet has never reached central (${code}): it needs central once to learn the ` +
      `relay's address and its token, and works offline after that. Check this tablet's ` +
      `internet and central's address. ${retry}`
    );
  }
  return (
    `Central answered, but not with this outlet's settings (${code}): this tablet has never ` +
    `had them and needs them once. Check the outlet id and central's address. ${retry}`
  );
}
