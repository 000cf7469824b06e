import type { Logger } from 'pino';

/** `/health` `bridge.lastErrorCode` while the credential's outlet is not one this relay serves. */
export const OUTLET_MISMATCH = 'central_outlet_mismatch';

export interface OutletGuard {
  /** The credential's outlet is served here: the downlink may pull it. */
  readonly confirmed: boolean;
  /** Only other outlets are served here so far: the credential is probably another outlet's. */
  readonly mismatch: boolean;
  /** This relay serves `outlet`: an event of it was logged, or a device of it signed in. */
  saw(outlet: string): void;
}

/**
 * The relay has no outlet of its own (it serves whatever outlets its device tokens name), so
 * a credential of another outlet cannot be refused at start. It is noticed instead: until a
 * device or an event of the credential's outlet shows up here, nothing is pulled from central
 * (that would be another outlet's history), and once only other outlets showed up the bridge
 * reports `central_outlet_mismatch`. A food court's bridged outlet that shows up later
 * confirms it (`onConfirmed`).
 */
export function createOutletGuard(options: {
  outlet: string;
  /** The outlets the log holds at start. */
  logged: readonly string[];
  logger: Logger;
  onConfirmed: () => void;
}): OutletGuard {
  const { outlet, logger } = options;
  let confirmed = options.logged.includes(outlet);
  let mismatch = false;

  const guard: OutletGuard = {
    get confirmed() {
      return confirmed;
    },
    get mismatch() {
      return mismatch && !confirmed;
    },
    saw(seen) {
      if (confirmed) return;
      if (seen === outlet) {
        confirmed = true;
        if (mismatch) logger.info({ outlet }, "the central credential's outlet is served here now");
        options.onConfirmed();
        return;
      }
      if (mismatch) return;
      mismatch = true;
      logger.error(
        { code: OUTLET_MISMATCH, outlet: seen, credentialOutlet: outlet },
        "this relay serves another outlet than its central credential's: nothing is uploaded to or pulled from central for it (give --central-token-file the credential of this relay's outlet; see docs/relay.md, Bridge to central)",
      );
    },
  };
  for (const seen of options.logged) guard.saw(seen);
  return guard;
}
