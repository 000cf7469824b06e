import {
  type CaughtUpMessage,
  EVENT_TYPES,
  type EventEnvelope,
  type Id,
  idKey,
  isFinalStatus,
  ORDER_STATUSES,
  type OrderState,
  type SnapshotMessage,
} from '@kitchen-sync/protocol';
import { ContiguousSeqs } from '../lib/contiguousSeqs.js';
import { RecentKeys } from '../lib/recentKeys.js';
import { carrySinceEvent, cursorAt, eventIdOf, positionAt } from '../socket/cursor.js';
import type { CentralCursor, CentralReset, Cursor } from '../socket/types.js';
import { EMPTY_CURSOR, type FeedChanges, isOrphan } from './feedStore.js';
import type { FeedRecord } from './types.js';

export interface BookChanges extends FeedChanges {
  /** Orders this kitchen had never seen: what `onNewOrder` and the alerts are for. */
  fresh: FeedRecord[];
}

export interface OrderBookOptions {
  tenants?: readonly Id[] | undefined;
  outletId?: Id | undefined;
  keepFinishedMs: number;
  keepOrphanedMs: number;
}

const STATUSES = new Set<string>(ORDER_STATUSES);
const KNOWN_ORDERS = 20_000;

/**
 * The kitchen's view of the relay's log, in memory: snapshot + events → one record per order,
 * newest state by `version`. Collects what changed until the feed takes it to persist.
 */
export class OrderBook {
  readonly records = new Map<string, FeedRecord>();
  cursor: Cursor = EMPTY_CURSOR;
  /** Central's outlet log (central mode): `cursor` is the seq up to which all is applied. */
  #central = new ContiguousSeqs();
  readonly #tenants: Set<string> | null;
  readonly #outlet: string | null;
  /**
   * The outlet and tenants served: what stored orders and cursor were taken under. A tablet
   * moved to another tenant or outlet must neither show the old one's orders nor resume the
   * relay after a cursor that skipped the new one's.
   */
  readonly scope: string;
  readonly #keepFinishedMs: number;
  readonly #keepOrphanedMs: number;
  // Orders held, pruned ones too, so a replay never alerts twice; bounded, because a screen
  // may stay open for weeks and a replay never reaches back that far.
  readonly #known = new RecentKeys(KNOWN_ORDERS);
  #dirty = new Set<string>();
  #removed = new Set<string>();
  #fresh: FeedRecord[] = [];
  #cursorMoved = false;

  constructor(options: OrderBookOptions) {
    this.#tenants = options.tenants ? new Set(options.tenants.map((t) => idKey(t))) : null;
    this.#outlet = options.outletId === undefined ? null : idKey(options.outletId);
    this.scope = JSON.stringify([this.#outlet, this.#tenants && [...this.#tenants].sort()]);
    this.#keepFinishedMs = options.keepFinishedMs;
    this.#keepOrphanedMs = options.keepOrphanedMs;
  }

  load(records: FeedRecord[], cursor: Cursor, centralCursor: CentralCursor | null = null): void {
    this.records.clear();
    for (const record of records) {
      // Stored by a tab that served other tenants: not this screen's to show.
      if (!this.inScope(record.order)) continue;
      this.records.set(record.order_id, record);
      this.#known.add(record.order_id);
    }
    this.cursor = cursor;
    this.#central = new ContiguousSeqs(centralCursor);
    this.#dirty.clear();
    this.#removed.clear();
    this.#fresh = [];
    this.#cursorMoved = false;
  }

  applySnapshot(snapshot: SnapshotMessage, now: number): void {
    const sameEpoch = snapshot.epoch === this.cursor.epoch;
    const inSnapshot = new Set<string>();
    // Another log: its seqs and versions mean nothing next to ours. What this kitchen holds is
    // kept, marked, until the new log brings the order again or it expires: an order the relay
    // lost cannot be resent by anyone, and the kitchen may still be cooking it.
    // A feed that never synced with a relay (no epoch) holds only what central showed: the
    // snapshot is the truth for it, as for a same-epoch one.
    const authoritative = sameEpoch || this.cursor.epoch === null;
    if (!authoritative) this.#orphanAll(now);
    for (const order of snapshot.orders) {
      if (!isOrderState(order) || !this.#allowed(order.tenant_id)) continue;
      inSnapshot.add(order.order_id);
      const seq = typeof order.seq === 'number' ? order.seq : snapshot.seq;
      this.#upsert(order, seq, now, true, true);
    }
    if (authoritative) {
      // Open orders the snapshot no longer lists were closed while this kitchen was away; one
      // only central has brought is still on its way to the relay.
      for (const [id, record] of this.records) {
        if (inSnapshot.has(id) || isFinalStatus(record.order.status) || isOrphan(record)) continue;
        if (record.awaiting_relay) {
          this.#unlisted(record, now);
          continue;
        }
        this.#remove(id);
      }
    }
    this.#moveCursor(cursorAt(snapshot), true);
  }

  caughtUp(message: CaughtUpMessage): void {
    const cursor = cursorAt(message);
    if (message.epoch !== this.cursor.epoch) this.#moveCursor(cursor, true);
    else if (message.seq > this.cursor.since) this.#moveCursor(cursor, false);
  }

  /**
   * `relayed` events (socket or poll) carry the relay's seq and move the cursor; central events
   * are applied by version only.
   */
  applyEvent(event: EventEnvelope, relayed: boolean, now: number, centralSeq?: number): void {
    if (centralSeq !== undefined && this.#central.add(centralSeq, eventIdOf(event))) {
      this.#cursorMoved = true;
    }
    const seq = event.seq;
    if (relayed && seq !== null) {
      if (seq <= this.cursor.since) return;
      this.#moveCursor(
        { since: seq, epoch: this.cursor.epoch, since_event: event.event_id },
        false,
      );
    }
    if (event.type === EVENT_TYPES.KITCHEN_STATUS_CHANGED || !event.order_id) return;
    if (!this.#allowed(event.tenant_id)) return;
    const held = this.records.get(event.order_id);
    const data = event.data as Partial<OrderState> | null;
    // Without `items` it is a board's whole order (boardOrder in the protocol) unless this
    // book holds the lines: then, as any partial data, it changes only what it carries.
    const next =
      isOrderState(data) && (data.items || !held?.order.items)
        ? data
        : held && data && typeof data === 'object'
          ? { ...held.order, ...data }
          : null;
    if (!next || next.order_id !== event.order_id || !this.#allowed(next.tenant_id)) return;
    if (
      held &&
      event.type === EVENT_TYPES.ORDER_ACKNOWLEDGED &&
      next.version === held.order.version
    ) {
      this.#mergeAcknowledgements(held, next);
      return;
    }
    const isNew = event.type === EVENT_TYPES.NEW_ORDER;
    this.#upsert(next, seq ?? held?.seq ?? this.cursor.since, now, isNew, relayed);
  }

  /** Central sent its log up to `seq` (caught_up); a `reset` numbers from a new head. */
  moveCentralCursor({ seq, event_id }: CentralReset, reset: boolean): void {
    const at = seq === null ? null : positionAt(seq, event_id);
    if (reset || at === null) this.#central = new ContiguousSeqs(at);
    else this.#central.caughtUp(at);
    this.#cursorMoved = true;
  }

  /** Drops finished orders once the app no longer wants them for recall. */
  prune(now: number): void {
    for (const [id, record] of this.records) {
      const finishedFor = record.finished_at === null ? -1 : now - record.finished_at;
      // Orphans, and orders only central brought that the relay's log does not list.
      const unsureFor = isOrphan(record)
        ? now - (record.orphaned_at ?? now)
        : record.unlisted_at != null && !isFinalStatus(record.order.status)
          ? now - record.unlisted_at
          : -1;
      if (finishedFor >= this.#keepFinishedMs || unsureFor >= this.#keepOrphanedMs) {
        this.#remove(id);
      }
    }
  }

  /** What changed since the last call, or null; the book starts collecting afresh. */
  takeChanges(): BookChanges | null {
    if (!this.#cursorMoved && this.#dirty.size === 0 && this.#removed.size === 0) return null;
    const put: FeedRecord[] = [];
    for (const id of this.#dirty) {
      const record = this.records.get(id);
      if (record) put.push(record);
    }
    const changes: BookChanges = {
      put,
      remove: [...this.#removed],
      cursor: this.cursor,
      centralCursor: this.#central.cursor,
      fresh: this.#fresh,
    };
    this.#dirty = new Set();
    this.#removed = new Set();
    this.#fresh = [];
    this.#cursorMoved = false;
    return changes;
  }

  /** A write failed: mark its changes again so the next burst writes them. */
  restore(changes: FeedChanges): void {
    for (const record of changes.put) this.#dirty.add(record.order_id);
    for (const id of changes.remove) if (!this.records.has(id)) this.#removed.add(id);
    this.#cursorMoved = true;
  }

  /** A change made on this screen alone: only for orphans, which the relay cannot change. */
  setLocalStatus(orderId: string, status: OrderState['status'], now: number): void {
    const held = this.records.get(orderId);
    if (!held) return;
    const finished = isFinalStatus(status);
    this.records.set(orderId, {
      ...held,
      order: { ...held.order, status },
      finished_at: finished ? (held.finished_at ?? now) : null,
    });
    this.#dirty.add(orderId);
  }

  #orphanAll(now: number): void {
    for (const [id, record] of this.records) {
      if (isOrphan(record)) continue;
      // An order the relay never had is not lost by it: it may still be on its way there, or
      // it is one the old log had closed; it goes like an unlisted one if the new log never
      // brings it.
      if (record.awaiting_relay) {
        this.#unlisted(record, now);
        continue;
      }
      this.records.set(id, { ...record, orphaned_at: now });
      this.#dirty.add(id);
    }
  }

  #upsert(
    order: OrderState,
    seq: number,
    now: number,
    mayBeNew: boolean,
    fromRelay: boolean,
  ): void {
    const found = this.records.get(order.order_id);
    // An orphan's version belongs to the old log: whatever the new log says wins.
    const held = found && !isOrphan(found) ? found : undefined;
    if (held && !isNewer(order, held.order)) {
      // The relay has it now, at the version central's copy already showed.
      if (fromRelay && held.awaiting_relay) this.#relayCaughtUp(held);
      return;
    }
    const finished = isFinalStatus(order.status);
    // A late event (an ack, a replay) about a finished order this book pruned: it stays gone,
    // or it would come back for another whole retention window.
    if (finished && !found && this.#known.has(order.order_id)) return;
    const record: FeedRecord = {
      order_id: order.order_id,
      order,
      seq: held?.seq ?? seq,
      created_ms: found?.created_ms ?? (Date.parse(order.created_at) || 0),
      // First seen already finished (a late event after a reload): retention counts from the
      // order's own status time, if earlier, not from when this screen heard of it.
      finished_at: !finished
        ? null
        : found
          ? (found.finished_at ?? now)
          : Math.min(now, Date.parse(`${order.status_at ?? order.updated_at}`) || now),
      orphaned_at: null,
    };
    if (!fromRelay && (found ? found.awaiting_relay : true)) {
      record.awaiting_relay = true;
      record.unlisted_at = found?.unlisted_at ?? null;
      if (found?.ack_waiting) record.ack_waiting = true;
    }
    this.records.set(order.order_id, record);
    this.#dirty.add(order.order_id);
    this.#removed.delete(order.order_id);
    if (!this.#known.has(order.order_id)) {
      this.#known.add(order.order_id);
      if (mayBeNew && !finished) this.#fresh.push(record);
    }
  }

  /** A relay snapshot did not list an order only central brought: its time to go starts. */
  #unlisted(record: FeedRecord, now: number): void {
    if (record.unlisted_at != null) return;
    this.records.set(record.order_id, { ...record, unlisted_at: now });
    this.#dirty.add(record.order_id);
  }

  /** The screen acknowledged an order the relay does not have yet: kept across a reload. */
  markAckWaiting(orderId: string): void {
    const held = this.records.get(orderId);
    if (!held?.awaiting_relay || held.ack_waiting) return;
    this.records.set(orderId, { ...held, ack_waiting: true });
    this.#dirty.add(orderId);
  }

  #relayCaughtUp(held: FeedRecord): void {
    const { awaiting_relay: _a, unlisted_at: _u, ack_waiting: _w, ...record } = held;
    this.records.set(held.order_id, record);
    this.#dirty.add(held.order_id);
  }

  #mergeAcknowledgements(held: FeedRecord, next: OrderState): void {
    const merged = new Set([
      ...(held.order.acknowledged_by ?? []),
      ...(next.acknowledged_by ?? []),
    ]);
    if (merged.size === (held.order.acknowledged_by?.length ?? 0)) return;
    held.order = { ...held.order, acknowledged_by: [...merged] };
    this.#dirty.add(held.order_id);
  }

  #remove(id: string): void {
    this.records.delete(id);
    this.#dirty.delete(id);
    this.#removed.add(id);
  }

  #moveCursor(cursor: Cursor, force: boolean): void {
    if (!force && cursor.since <= this.cursor.since) return;
    this.cursor = carrySinceEvent(this.cursor, cursor);
    this.#cursorMoved = true;
  }

  /** An order of the outlet (when known) and tenants served. */
  inScope(order: Partial<OrderState> | undefined): boolean {
    return (
      this.#allowed(order?.tenant_id) &&
      (this.#outlet === null || String(order?.outlet_id) === this.#outlet)
    );
  }

  #allowed(tenantId: unknown): boolean {
    if (!this.#tenants) return true;
    return (
      (typeof tenantId === 'string' || typeof tenantId === 'number') &&
      this.#tenants.has(idKey(tenantId))
    );
  }
}

/**
 * By `version` when both have one. The relay's numbered state replaces a copy without one (an
 * order central brought first, as the POS sent it: no line state, no version for the relay's
 * later changes to be newer than), short of reopening a finished order. Otherwise only a
 * status that moves forward.
 */
function isNewer(next: OrderState, held: OrderState): boolean {
  if (typeof next.version === 'number' && typeof held.version === 'number') {
    return next.version > held.version;
  }
  if (typeof next.version === 'number') {
    return !isFinalStatus(held.status) || isFinalStatus(next.status);
  }
  if (isFinalStatus(held.status)) return false;
  if (next.status === 'cancelled') return true;
  return ORDER_STATUSES.indexOf(next.status) > ORDER_STATUSES.indexOf(held.status);
}

function isOrderState(value: unknown): value is OrderState {
  const o = value as Partial<OrderState> | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.order_id === 'string' &&
    typeof o.status === 'string' &&
    STATUSES.has(o.status) &&
    typeof o.created_at === 'string' &&
    // A board's orders have no lines (protocol boardView.ts).
    (o.items === undefined || Array.isArray(o.items))
  );
}
