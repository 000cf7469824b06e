import type { BridgeHealth, HealthResponse } from '@kitchen-sync/protocol';
import { localTime } from './localTime.js';
import type { StatusTexts } from './statusTexts.js';

/**
 * How far behind central may be before `status` warns, and how long its downlink may go
 * without an answered poll. Orders keep flowing at the outlet while central is away; what falls
 * behind is central's reports and order pages, and the orders central takes (a web shop) that
 * do not reach the kitchens. A few failed attempts in a row (a router restarting) stay well
 * under it; a quarter of an hour is long enough that someone should look.
 */
export const UPLOAD_LAG_WARNING_SECONDS = 15 * 60;

/**
 * `/health`'s `bridge` as `status` lines: whether central has this relay's log, since when
 * it lacks it, why and what to do; then whether central's orders reach this outlet. None for a
 * relay without `--central-url`.
 */
export function centralLines(
  health: Pick<HealthResponse, 'bridge' | 'timestamp' | 'uptime'>,
  texts: StatusTexts,
  warnAfterSeconds = UPLOAD_LAG_WARNING_SECONDS,
): string[] {
  const { bridge } = health;
  if (!bridge) return [];
  // A node of a PostgreSQL cluster: the rest is the holder's bridge, as it last wrote it.
  const holder = bridge.role
    ? [texts.bridgeHolder(bridge.holder ?? null, bridge.role === 'holder')]
    : [];
  const uplink = uplinkLines(bridge, texts, warnAfterSeconds);
  // Advice already given for the upload's code (both sides unreachable) is not said twice.
  const advised = bridge.lastErrorCode;
  return [...holder, ...uplink, ...downlinkLines(health, bridge, texts, warnAfterSeconds, advised)];
}

function uplinkLines(bridge: BridgeHealth, texts: StatusTexts, warnAfterSeconds: number) {
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

/**
 * The downlink fails on its own (central's downlink view not routed, failing, or the relay's
 * downlink stopped) while uploads go on: the outlet looks fine from here, and the orders guests
 * pay for at central never reach a kitchen. Said only while its polls fail.
 */
function downlinkLines(
  { timestamp, uptime }: Pick<HealthResponse, 'timestamp' | 'uptime'>,
  bridge: BridgeHealth,
  texts: StatusTexts,
  warnAfterSeconds: number,
  advised: string | null,
): string[] {
  const {
    downlinkState: state,
    downlinkLastSuccessAt: lastSuccessAt,
    downlinkLastErrorCode: errorCode,
  } = bridge;
  // Null: no downlink; absent: a relay from before it.
  if (state == null) return [];
  if (!errorCode && state !== 'backoff') return [];
  const since = lastSuccessAt ? localTime(lastSuccessAt) : null;
  const lines = [texts.downlinkFailing(state, since, errorCode ?? null)];
  if (errorCode && errorCode !== advised) lines.push(texts.centralAdvice(errorCode));
  // By the relay's own clock (its /health timestamp), so this PC's clock does not matter.
  const quietSeconds = lastSuccessAt
    ? (Date.parse(timestamp) - Date.parse(lastSuccessAt)) / 1000
    : uptime;
  if (quietSeconds > warnAfterSeconds) {
    lines.push(
      texts.downlinkWarning(texts.duration(quietSeconds), texts.duration(warnAfterSeconds)),
    );
  }
  return lines;
}
