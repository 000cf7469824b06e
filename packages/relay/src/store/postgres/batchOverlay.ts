import type {
  NewEvent,
  PrunedEvent,
  PrunedOrder,
  StoredEvent,
  StoredOrder,
} from '../EventStore.js';

/** Keys a write read before the batch had loaded them: load them and run the write again. */
export class MissingKeys {
  constructor(
    readonly kind: 'order' | 'event' | 'ack' | 'outlet',
    readonly key: string,
    /** For acks: the kitchen. */
    readonly kitchenId = '',
  ) {}
}

export interface OutletHead {
  head: number;
  prunedThrough: number;
}

const ackKey = (orderId: string, kitchenId: string) => `${orderId}\u0000${kitchenId}`;

/**
 * What one PostgreSQL batch has read and written so far, readable synchronously by the
 * relay's commands. Rows are loaded on demand (a miss throws `MissingKeys`), writes stay here
 * until the batch flushes them in one go. Each write of a job is undoable, so a job that fails
 * leaves nothing behind, like a savepoint.
 */
export class BatchOverlay {
  readonly orders = new Map<string, StoredOrder | null>();
  /** Loaded with the order (one round trip): what retention left of it, if it removed it. */
  readonly prunedOrders = new Map<string, PrunedOrder | null>();
  readonly events = new Map<string, StoredEvent | null>();
  /** Loaded with the event (one round trip): what retention left of it, if it removed it. */
  readonly prunedEvents = new Map<string, PrunedEvent | null>();
  readonly acks = new Map<string, number | null>();
  /** Outlets whose head row this transaction holds FOR UPDATE. */
  readonly outlets = new Map<string, OutletHead>();
  readonly newEvents: StoredEvent[] = [];
  readonly dirtyOrders = new Set<string>();
  /** Orders that were in the database when loaded (locked FOR UPDATE): updated, not inserted. */
  readonly storedOrders = new Set<string>();
  readonly newAcks: Array<{ orderId: string; kitchenId: string; seq: number }> = [];
  private undo: Array<() => void> = [];

  beginJob(): void {
    this.undo = [];
  }

  keepJob(): void {
    this.undo = [];
  }

  dropJob(): void {
    for (let i = this.undo.length - 1; i >= 0; i--) this.undo[i]!();
    this.undo = [];
  }

  loadedOrder(orderId: string, order: StoredOrder | undefined): void {
    if (this.orders.has(orderId)) return;
    this.orders.set(orderId, order ?? null);
    if (order) this.storedOrders.add(orderId);
  }

  loadedPrunedOrder(orderId: string, pruned: PrunedOrder | undefined): void {
    if (!this.prunedOrders.has(orderId)) this.prunedOrders.set(orderId, pruned ?? null);
  }

  loadedEvent(eventId: string, event: StoredEvent | undefined): void {
    if (!this.events.has(eventId)) this.events.set(eventId, event ?? null);
  }

  loadedPrunedEvent(eventId: string, pruned: PrunedEvent | undefined): void {
    if (!this.prunedEvents.has(eventId)) this.prunedEvents.set(eventId, pruned ?? null);
  }

  loadedAck(orderId: string, kitchenId: string, seq: number | undefined): void {
    const key = ackKey(orderId, kitchenId);
    if (!this.acks.has(key)) this.acks.set(key, seq ?? null);
  }

  loadedOutlet(outlet: string, row: OutletHead): void {
    if (!this.outlets.has(outlet)) this.outlets.set(outlet, { ...row });
  }

  getOrder(orderId: string): StoredOrder | undefined {
    const order = this.orders.get(orderId);
    if (order === undefined) throw new MissingKeys('order', orderId);
    return order === null ? undefined : structuredClone(order);
  }

  getPrunedOrder(orderId: string): PrunedOrder | undefined {
    const pruned = this.prunedOrders.get(orderId);
    if (pruned === undefined) throw new MissingKeys('order', orderId);
    return pruned ?? undefined;
  }

  getEvent(eventId: string): StoredEvent | undefined {
    const event = this.events.get(eventId);
    if (event === undefined) throw new MissingKeys('event', eventId);
    return event ?? undefined;
  }

  getPrunedEvent(eventId: string): PrunedEvent | undefined {
    const pruned = this.prunedEvents.get(eventId);
    if (pruned === undefined) throw new MissingKeys('event', eventId);
    return pruned ?? undefined;
  }

  getAck(orderId: string, kitchenId: string): number | undefined {
    const seq = this.acks.get(ackKey(orderId, kitchenId));
    if (seq === undefined) throw new MissingKeys('ack', orderId, kitchenId);
    return seq ?? undefined;
  }

  outlet(outlet: string): OutletHead {
    const row = this.outlets.get(outlet);
    if (!row) throw new MissingKeys('outlet', outlet);
    return row;
  }

  append(event: NewEvent): StoredEvent {
    const row = this.outlet(event.outlet);
    const eventId = event.envelope.event_id;
    // Not loaded = not asked for: ids are fresh UUIDs (a new one on every run of the write);
    // the unique index refuses a collision and the batch runs again.
    if (this.events.get(eventId)) {
      throw Object.assign(new Error(`event_id ${eventId} is already in the log`), {
        code: 'event_id_taken',
      });
    }
    const seq = row.head + 1;
    const stored: StoredEvent = { ...event, envelope: { ...event.envelope, seq } };
    row.head = seq;
    this.events.set(eventId, stored);
    this.newEvents.push(stored);
    this.undo.push(() => {
      row.head = seq - 1;
      this.events.set(eventId, null);
      this.newEvents.pop();
    });
    return stored;
  }

  putOrder(order: StoredOrder): void {
    const previous = this.orders.get(order.orderId);
    const wasDirty = this.dirtyOrders.has(order.orderId);
    this.orders.set(order.orderId, structuredClone(order));
    this.dirtyOrders.add(order.orderId);
    this.undo.push(() => {
      if (previous === undefined) this.orders.delete(order.orderId);
      else this.orders.set(order.orderId, previous);
      if (!wasDirty) this.dirtyOrders.delete(order.orderId);
    });
  }

  putAck(orderId: string, kitchenId: string, seq: number): void {
    const key = ackKey(orderId, kitchenId);
    const previous = this.acks.get(key);
    if (previous !== undefined && previous !== null) {
      throw Object.assign(new Error(`ack ${orderId}/${kitchenId} is already stored`), {
        code: 'ack_taken',
      });
    }
    this.acks.set(key, seq);
    this.newAcks.push({ orderId, kitchenId, seq });
    this.undo.push(() => {
      if (previous === undefined) this.acks.delete(key);
      else this.acks.set(key, previous);
      this.newAcks.pop();
    });
  }
}
