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
    epoch: found.epoch,
  };
  if (!found.made) {
    logger.info(fields, 'another client found the log behind it too; the new epoch stands');
    return;
  }
  logger.warn(
    fields,
    `a client${found.device ? ` (${found.device})` : ''} had seen seq ${found.cursor} of outlet ${found.outlet} under this epoch, but the log ends at ${found.head}: it went back (a restored backup? a disk that lost its last writes?). The log starts a new epoch: every client re-syncs from a snapshot. Orders acknowledged past seq ${found.head} before are not in this log; see docs/relay.md "Restoring". If no backup was restored and no disk failed, look at that device: a tablet moved from another outlet of this relay with its old position does the same`,
  );
}
