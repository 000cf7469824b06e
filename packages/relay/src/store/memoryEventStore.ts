import { randomUUID } from 'node:crypto';
import { isFinalStatus, type OrderState } from '@kitchen-sync/protocol';
import {
  type EventStore,
  MAX_PRUNED_EVENT_IDS_PER_ORDER,
  MAX_PRUNED_ORDER_IDS,
  PRUNED_ORDER_IDS_KEPT_MS,
  type PrunedEvent,
  type PrunedOrder,
  type StoredEvent,
  type StoredOrder,
  type TenantScope,
} from './EventStore.js';

interface OutletLog {
  head: number;
  prunedThrough: number;
  /** Seqs are contiguous, so the event with seq s sits at index s - prunedThrough - 1. */
  events: StoredEvent[];
}

const visible = (tenants: TenantScope, tenant: string) => !tenants || tenants.includes(tenant);

/** A throwaway store (`--store memory`): same semantics, new epoch on every start. */
export function createMemoryEventStore(): EventStore {
  const logs = new Map<string, OutletLog>();
  const orders = new Map<string, StoredOrder>();
  const eventsById = new Map<string, StoredEvent>();
  const cursors = new Map<string, number>();
  const acks = new Map<string, number>();
  // In the order retention removed them (oldest first), with when it did.
  const pruned = new Map<string, PrunedOrder & { prunedMs: number }>();
  const ackKey = (orderId: string, kitchenId: string) => `${orderId}\u0000${kitchenId}`;
  // Pruned events of orders still stored, by event id, and each order's ids oldest first.
  const prunedEvents = new Map<string, PrunedEvent>();
  const prunedEventIds = new Map<string, string[]>();

  const keepPrunedEvent = (orderId: string, event: StoredEvent, max: number) => {
    const { event_id: eventId, type, seq } = event.envelope;
    const version = (event.envelope.data as OrderState | undefined)?.version ?? 0;
    prunedEvents.set(eventId, { eventId, orderId, type, seq, version });
    const ids = prunedEventIds.get(orderId) ?? [];
    ids.push(eventId);
    prunedEventIds.set(orderId, ids);
    for (const old of ids.splice(0, Math.max(0, ids.length - max))) prunedEvents.delete(old);
  };
  const forgetPrunedEvents = (orderId: string) => {
    for (const id of prunedEventIds.get(orderId) ?? []) prunedEvents.delete(id);
    prunedEventIds.delete(orderId);
  };

  const logOf = (outlet: string): OutletLog => {
    let log = logs.get(outlet);
    if (!log) {
      log = { head: 0, prunedThrough: 0, events: [] };
      logs.set(outlet, log);
    }
    return log;
  };

  return {
    kind: 'memory',
    epoch: randomUUID(),
    // Callers validate before they write and in-memory writes cannot fail half-way.
    transaction: (fn) => fn(),
    append(event) {
      const log = logOf(event.outlet);
      const seq = log.head + 1;
      const stored: StoredEvent = { ...event, envelope: { ...event.envelope, seq } };
      log.events.push(stored);
      log.head = seq;
      eventsById.set(stored.envelope.event_id, stored);
      return stored;
    },
    putOrder: (order) => void orders.set(order.orderId, structuredClone(order)),
    putAck: (orderId, kitchenId, seq) => void acks.set(ackKey(orderId, kitchenId), seq),
    getOrder(orderId) {
      const order = orders.get(orderId);
      return order && structuredClone(order);
    },
    getEvent: (eventId) => eventsById.get(eventId),
    getAck: (orderId, kitchenId) => acks.get(ackKey(orderId, kitchenId)),
    getPrunedOrder(orderId) {
      const found = pruned.get(orderId);
      if (!found) return undefined;
      const { prunedMs: _prunedMs, ...order } = found;
      return order;
    },
    getPrunedEvent: (eventId) => prunedEvents.get(eventId),
    eventIdAt(outlet, seq) {
      const log = logs.get(outlet);
      return log?.events[seq - log.prunedThrough - 1]?.envelope.event_id;
    },
    head: (outlet) => logs.get(outlet)?.head ?? 0,
    prunedThrough: (outlet) => logs.get(outlet)?.prunedThrough ?? 0,
    eventsAfter(outlet, since, limit, tenants) {
      const log = logs.get(outlet);
      if (!log) return [];
      const out: StoredEvent[] = [];
      for (let i = Math.max(0, since - log.prunedThrough); i < log.events.length; i++) {
        const event = log.events[i]!;
        if (!visible(tenants, event.tenant)) continue;
        out.push(event);
        if (out.length >= limit) break;
      }
      return out;
    },
    openOrders(outlet, tenants) {
      const open: StoredOrder[] = [];
      for (const order of orders.values()) {
        if (order.outlet !== outlet || !visible(tenants, order.tenant)) continue;
        if (!isFinalStatus(order.state.status)) open.push(order);
      }
      return open
        .sort((a, b) => a.createdSeq - b.createdSeq)
        .map((o) => structuredClone(o.state) as OrderState);
    },
    outlets: () => [...logs.keys()].sort(),
    prune(policy, nowMs) {
      let removed = 0;
      const forgetBefore = nowMs - (policy.prunedIdsKeptMs ?? PRUNED_ORDER_IDS_KEPT_MS);
      for (const [id, order] of pruned) if (order.prunedMs < forgetBefore) pruned.delete(id);
      for (const [outlet, log] of logs) {
        let cut = log.head - policy.maxEvents;
        for (const event of log.events) {
          if (event.tsMs >= nowMs - policy.maxAgeMs) break;
          cut = Math.max(cut, event.envelope.seq);
        }
        if (cut <= log.prunedThrough) continue;
        const dropped = log.events.splice(0, cut - log.prunedThrough);
        for (const event of dropped) eventsById.delete(event.envelope.event_id);
        removed += dropped.length;
        log.prunedThrough = cut;
        for (const [id, order] of orders) {
          if (order.outlet !== outlet || !isFinalStatus(order.state.status)) continue;
          if (order.statusSeq > cut) continue;
          orders.delete(id);
          forgetPrunedEvents(id);
          for (const key of acks.keys()) if (key.startsWith(`${id}\u0000`)) acks.delete(key);
          pruned.set(id, {
            orderId: id,
            outlet,
            tenant: order.tenant,
            status: order.state.status,
            createdSeq: order.createdSeq,
            statusSeq: order.statusSeq,
            finishedMs: order.updatedMs,
            prunedMs: nowMs,
          });
        }
        // After the finished orders went: only events of orders that stay are worth keeping.
        const maxEventIds = policy.maxPrunedEventIds ?? MAX_PRUNED_EVENT_IDS_PER_ORDER;
        for (const event of dropped) {
          const orderId = event.envelope.order_id;
          if (orderId && orders.has(orderId)) keepPrunedEvent(orderId, event, maxEventIds);
        }
        const kept = [...pruned.values()].filter((order) => order.outlet === outlet);
        const over = kept.length - (policy.maxPrunedIds ?? MAX_PRUNED_ORDER_IDS);
        for (const order of kept.slice(0, Math.max(0, over))) pruned.delete(order.orderId);
      }
      return removed;
    },
    countEvents: () => eventsById.size,
    getCursor: (name) => cursors.get(name),
    setCursor(name, value) {
      cursors.set(name, value);
    },
    close: () => undefined,
  };
}
