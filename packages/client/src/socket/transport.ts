import type {
  BridgeStatusMessage,
  CaughtUpMessage,
  EventEnvelope,
  SnapshotMessage,
} from '@kitchen-sync/protocol';
import type { KitchenSyncError, SocketError, SocketErrorCode } from '../errors.js';
import type { Environment } from '../lib/environment.js';
import type { CentralCursor, Cursor, EventSource } from './types.js';

/** What a transport reports to the service that merges them. */
export interface TransportHooks {
  env: Environment;
  up(source: EventSource): void;
  down(source: EventSource): void;
  /** `https_required` is the relay's own code; the service reports it as `relay_https_only`. */
  error(error: KitchenSyncError<SocketErrorCode | 'https_required'>, source: EventSource): void;
  /** The coded error for a connect or poll that failed below HTTP (no answer at all). */
  unreachable(cause: unknown, message: string): SocketError;
  /** `centralSeq`: the event's place in central's outlet log (central frames that carry one). */
  event(event: EventEnvelope, source: EventSource, centralSeq?: number): void;
  snapshot(snapshot: SnapshotMessage, source: EventSource): void;
  caughtUp(caughtUp: CaughtUpMessage, source: EventSource): void;
  bridge(status: BridgeStatusMessage): void;
  /** Moves the cursor without a caught_up (a poll that returned a full page). */
  advance(cursor: Cursor): void;
  /** Read at every (re)connect so a feed's persisted cursor wins over the in-memory one. */
  readCursor(): Cursor;
  /** Where this session has got to (no re-read of the source). */
  currentCursor(): Cursor;
  /** The central cursor to resume after, read at every central (re)connect; null: live only. */
  readCentralCursor(): CentralCursor | null;
  /** Central sent its log up to `seq` (its head when the socket opened), `eventId` there. */
  centralCaughtUp(seq: number, eventId?: string): void;
  /** Central cannot resume from the cursor (another or a pruned log): state must be refetched. */
  centralReset(seq: number | null, eventId?: string): void;
}

/** A string, or a function asked for it at every connect (a refreshed token or socket URL). */
export type StringSource = string | (() => string | Promise<string>);
export type TokenSource = StringSource;

export async function resolveSource(source: StringSource | undefined): Promise<string | undefined> {
  return typeof source === 'function' ? await source() : source;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The minimum an event needs to be routed and de-duplicated; the rest is the app's. */
export function isEnvelope(value: unknown): value is EventEnvelope {
  return isObject(value) && typeof value.type === 'string' && value.type !== '';
}
