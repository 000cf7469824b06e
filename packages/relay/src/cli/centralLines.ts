import type { BridgeHealth } from '@kitchen-sync/protocol';
import type { StatusTexts } from './statusTexts.js';

/**
 * How far behind central may be before `status` warns. Orders keep flowing at the outlet
 * while central is away; what falls behind is central's reports and order pages. A few failed
 * uploads in a row (a router restarting) stay well under it; a quarter of an hour is long
 * enough that someone should look at the internet connection.
 */
export const UPLOAD_LAG_WARNING_SECONDS = 15 * 60;

/**
 * `/health`'s `bridge` as `status` lines: whether central has this relay's log, since when
 * it lacks it, why and what to do. None for a relay without `--central-url`.
 */
export function centralLines(
  bridge: BridgeHealth | undefined,
  texts: StatusTexts,
  warnAfterSeconds = UPLOAD_LAG_WARNING_SECONDS,
): string[] {
  if (!bridge) return [];
  const { state, pendingEvents, lagSeconds, lastErrorCode } = bridge;
  if (state === 'synced' && pendingEvents === 0 && !lastErrorCode) return [texts.centralSynced];
  const behind = texts.duration(lagSeconds);
  const lines = [texts.centralBehind(state, pendingEvents, behind, lastErrorCode)];
  if (lastErrorCode) lines.push(texts.centralAdvice(lastErrorCode));
  if (lagSeconds > warnAfterSeconds) {
    lines.push(texts.centralWarning(behind, texts.duration(warnAfterSeconds)));
  }
  return lines;
}
