import type { Logger } from 'pino';
import type { LogWentBack } from './catchUp.js';

/**
 * Says once per new epoch, with a code, that the log went back behind a client: the operator
 * learns that orders acknowledged before (a restored backup, a disk that lost writes) are no
 * longer in this log, and that every client re-syncs from a snapshot.
 */
export function reportLogWentBack(logger: Logger, found: LogWentBack): void {
  const fields = {
    code: 'log_went_back',
    outlet: found.outlet,
    device: found.device,
    clientSeq: found.cursor,
    headSeq: found.head,
    ...(found.replaced
      ? { clientEvent: found.replaced.seen, loggedEvent: found.replaced.logged }
      : {}),
    epoch: found.epoch,
  };
  if (!found.made) {
    logger.info(fields, 'another client found the log behind it too; the new epoch stands');
    return;
  }
  const client = `a client${found.device ? ` (${found.device})` : ''}`;
  // A replaced event: the head is past the cursor again, so the log went back to before it.
  const proof = found.replaced
    ? `${client} had applied event ${found.replaced.seen} at seq ${found.cursor} of outlet ${found.outlet} under this epoch, but the log holds event ${found.replaced.logged} there`
    : `${client} had seen seq ${found.cursor} of outlet ${found.outlet} under this epoch, but the log ends at ${found.head}`;
  const lost = found.replaced
    ? `Orders acknowledged before at seqs up to ${found.cursor} may not be in this log`
    : `Orders acknowledged past seq ${found.head} before are not in this log`;
  logger.warn(
    fields,
    `${proof}: it went back (a restored backup? a disk that lost its last writes?). The log starts a new epoch: every client re-syncs from a snapshot. ${lost}; see docs/relay.md "Restoring". If no backup was restored and no disk failed, look at that device: a tablet moved from another outlet of this relay with its old position does the same`,
  );
}
