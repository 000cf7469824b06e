const DAY_MS = 86_400_000;

/**
 * How far before the moment of issue a new certificate's notBefore lies: a tablet whose clock is
 * behind (drifted while offline, or set by hand) must not see a fresh certificate as not yet valid.
 */
export const BACKDATE_MS = DAY_MS;
