import {
  bumpedSince,
  canTransition,
  EVENT_TYPES,
  type EventType,
  eventTypeForStatus,
  type FailureAck,
  heldLinesRefusal,
  idKey,
  LIMITS,
  type Order,
  type OrderAckResult,
  OrderAckSchema,
  type OrderState,
  type OrderStatus,
  type OrderUpdate,
  OrderUpdateSchema,
  openOrder,
  PublishedOrderSchema,
  type PublishResult,
  type RequestType,
  SOCKET_EVENTS,
  type UpdateResult,
  UuidSchema,
  validate,
  withOrderStatus,
} from '@kitchen-sync/protocol';
import { inScope, mayDo } from '../auth/permissions.js';
import type { Principal } from '../auth/principal.js';
import { containsBinary } from '../lib/binary.js';
import { failure } from '../lib/failure.js';
import type { EventStore, NewEvent, StoredOrder } from '../store/EventStore.js';
import {
  failedWriteAnswer,
  type StorageProblem,
  storageProblemOf,
} from '../store/storageHealth.js';
import type { WriteOutcome, WriteQueue } from '../store/writeQueue.js';
import { canonicalIds } from './canonicalIds.js';
import { eventIdInLog, reusedEventId } from './eventIdInLog.js';
import { messageRefusal } from './messageRefusal.js';
import { samePublishedContent } from './publishedContent.js';

export type CommandResult = PublishResult | UpdateResult | OrderAckResult | FailureAck;

export interface OrderCommandsOptions {
  store: EventStore;
  queue: WriteQueue;
  maxMessageBytes: number;
  now: () => number;
  newId: () => string;
  /** Called after the commit of each order actually appended (not duplicates): logs, metrics. */
  onPublished?: (order: Order, seq: number, startedMs: number) => void;
  /** A kitchen acknowledged an order the relay does not have (its log was wiped): dropped. */
  onObsoleteAck?: (orderId: string, kitchenId: string) => void;
  /** A bug or a store failure; the caller gets `internal`, this hook gets the cause. */
  /** Whether a failure was the data disk's (full, read-only, failing): what the answer says. */
  storageProblem?: (error: unknown) => StorageProblem | undefined;
  onError?: (error: unknown) => void;
}

export interface OrderCommands {
  /**
   * The one entry point for `order:publish`, `order:update` and `order:ack`, shared by the
   * socket and the HTTP transport so both answer identically. Never rejects.
   */
  handle(
    principal: Principal | null,
    type: RequestType,
    payload: unknown,
    origin?: string,
  ): Promise<CommandResult>;
}

const answer = <T>(result: T): WriteOutcome<T> => ({ result, events: [] });

// State the relay owns is never taken from a POS: a published order cannot arrive already
// acknowledged by a kitchen or at another version (`version`, `status_version` and
// `updated_at`, `received_at` are overwritten).
const RELAY_OWNED = ['event_id', 'acknowledged_by', 'status_reason'] as const;

function withoutRelayState(order: Order): Order {
  // Nearly every order carries none of them; a rest copy would cost more than the check.
  if (!RELAY_OWNED.some((key) => Object.hasOwn(order, key))) return order;
  const {
    event_id: _eventId,
    acknowledged_by: _acknowledgedBy,
    status_reason: _statusReason,
    ...fields
  } = order as Order & Partial<Omit<OrderState, keyof Order>> & { event_id?: unknown };
  return fields;
}
const isFinal = (status: OrderStatus) => status === 'completed' || status === 'cancelled';
const forbidden = () => failure('forbidden', 'this order is outside your token');

/**
 * What happens when a POS publishes (and a kitchen updates or acks), in order:
 * size → validate → authorize → state machine → append in the tick's transaction → ack
 * after commit → fan out (done by the write queue's commit hook).
 */
export function createOrderCommands(options: OrderCommandsOptions): OrderCommands {
  const { store, queue, now, newId } = options;

  const orderEvent = (
    stored: Omit<StoredOrder, 'createdSeq' | 'statusSeq'>,
    type: NewEvent['envelope']['type'],
    eventId: string | undefined,
    origin: string | undefined,
  ): NewEvent => ({
    outlet: stored.outlet,
    tenant: stored.tenant,
    tsMs: stored.updatedMs,
    envelope: {
      event_id: eventId ?? newId(),
      type,
      outlet_id: stored.state.outlet_id,
      tenant_id: stored.state.tenant_id,
      order_id: stored.orderId,
      data: stored.state,
      ts: new Date(stored.updatedMs).toISOString(),
      ...(origin ? { origin } : {}),
    },
  });

  /** An `event_id` already in the log answers as that event did, if this command logged it. */
  function replayed(eventId: string | undefined, orderId: string, type: EventType) {
    const seen = eventIdInLog(store, eventId, orderId, type);
    if (seen === undefined) return undefined;
    if (seen === 'other') return reusedEventId();
    return { ok: true as const, seq: seen.seq, version: seen.version, duplicate: true };
  }

  function publish(
    principal: Principal | null,
    order: Order,
    eventId: string | undefined,
    origin: string | undefined,
  ): Promise<PublishResult | FailureAck> {
    const outlet = idKey(order.outlet_id);
    const tenant = idKey(order.tenant_id);
    if (!inScope(principal, outlet, tenant)) return Promise.resolve(forbidden());
    if (order.status !== 'pending') {
      return Promise.resolve(failure('invalid_transition', 'a new order must arrive as pending'));
    }
    return queue.submit<PublishResult | FailureAck>(() => {
      const existing = store.getOrder(order.order_id);
      if (existing) {
        if (!inScope(principal, existing.outlet, existing.tenant)) return answer(forbidden());
        if (eventIdInLog(store, eventId, order.order_id, EVENT_TYPES.NEW_ORDER) === 'other') {
          return answer(reusedEventId());
        }
        // Orders are not edited by publishing them again: taking the retry as a duplicate
        // would tell the POS an added line was delivered while the kitchen never sees it.
        if (!samePublishedContent(order, existing.state)) {
          return answer(
            failure(
              'order_conflict',
              'this order_id is already published with other content; orders are not edited by publishing them again',
            ),
          );
        }
        return answer({ ok: true, seq: existing.createdSeq, duplicate: true });
      }
      // Finished and removed by retention: a POS whose ack was lost, or central's log read
      // again, sends it once more. Its content is gone, so it cannot be compared; it is the
      // order that was cooked, not a new ticket.
      const pruned = store.getPrunedOrder?.(order.order_id);
      if (pruned) {
        if (!inScope(principal, pruned.outlet, pruned.tenant)) return answer(forbidden());
        return answer({ ok: true, seq: pruned.createdSeq, duplicate: true });
      }
      // Any event it names is another order's (in the log, or pruned from it).
      if (eventIdInLog(store, eventId, order.order_id, EVENT_TYPES.NEW_ORDER)) {
        return answer(reusedEventId());
      }
      const tsMs = now();
      const state: OrderState = {
        // v1.1: line ids, line status (held ones from the order's `hold`), status_at.
        ...openOrder(withoutRelayState(order), tsMs),
        status: 'pending',
        version: 1,
        status_version: 1,
        updated_at: new Date(tsMs).toISOString(),
        received_at: new Date(tsMs).toISOString(),
      };
      const base = { orderId: order.order_id, outlet, tenant, state, updatedMs: tsMs };
      const event = store.append(orderEvent(base, EVENT_TYPES.NEW_ORDER, eventId, origin));
      const seq = event.envelope.seq;
      store.putOrder({ ...base, createdSeq: seq, statusSeq: seq });
      return { result: { ok: true, seq, duplicate: false }, events: [event] };
    });
  }

  function update(
    principal: Principal | null,
    request: OrderUpdate,
    origin: string | undefined,
  ): Promise<UpdateResult | FailureAck> {
    return queue.submit<UpdateResult | FailureAck>(() => {
      const existing = store.getOrder(request.order_id);
      if (!existing) return answer(failure('not_found', 'no such order'));
      if (!inScope(principal, existing.outlet, existing.tenant)) return answer(forbidden());
      const type = eventTypeForStatus(request.status);
      const again = replayed(request.event_id, request.order_id, type);
      if (again) return answer(again);
      const { state } = existing;
      if (state.status === request.status) {
        return answer({
          ok: true,
          seq: existing.statusSeq,
          version: state.version,
          duplicate: true,
        });
      }
      // v1.2: a step made on a status the order has left since (a double tap's second step,
      // sent while the first was on its way) is refused with the order as it stands. A final
      // order is refused as such below, whatever the version.
      if (request.version !== undefined && !isFinal(state.status)) {
        if (bumpedSince(state, request.version)) {
          return answer({
            ok: true,
            seq: 0,
            version: state.version,
            duplicate: true,
            stale: true,
            order: state,
          });
        }
      }
      if (!canTransition(state.status, request.status)) {
        return answer(
          failure('invalid_transition', `cannot go from ${state.status} to ${request.status}`),
        );
      }
      // A ready or completed ticket with a held course would hand out food never cooked.
      const held = heldLinesRefusal(state, request.status);
      if (held) return answer(failure('invalid_transition', held));
      const tsMs = now();
      // v1.1: an order bumped to ready takes its lines with it.
      const next: OrderState = withOrderStatus(
        {
          ...state,
          status: request.status,
          version: state.version + 1,
          updated_at: new Date(tsMs).toISOString(),
          ...(request.reason !== undefined ? { status_reason: request.reason } : {}),
        },
        state.status,
        tsMs,
      );
      const changed = { ...existing, state: next, updatedMs: tsMs };
      const event = store.append(orderEvent(changed, type, request.event_id, origin));
      store.putOrder({ ...changed, statusSeq: event.envelope.seq });
      return {
        result: { ok: true, seq: event.envelope.seq, version: next.version, duplicate: false },
        events: [event],
      };
    });
  }

  function acknowledge(
    principal: Principal | null,
    orderId: string,
    eventId: string | undefined,
    origin: string | undefined,
  ): Promise<OrderAckResult | FailureAck> {
    const kitchenId = principal?.sub ?? origin ?? 'anonymous';
    return queue.submit<OrderAckResult | FailureAck>(() => {
      const existing = store.getOrder(orderId);
      if (!existing) {
        // A kitchen's outbox re-sending an ack after the relay lost its log (new epoch): the
        // order is gone, so there is nothing to acknowledge and nothing to retry. `not_found`
        // made the kitchen list it as a failed request; `obsolete` lets it drop the ack.
        // (An order retention removed is finished, and answers the same way.)
        options.onObsoleteAck?.(orderId, kitchenId);
        return answer({ ok: true, seq: 0, duplicate: false, obsolete: true });
      }
      if (!inScope(principal, existing.outlet, existing.tenant)) return answer(forbidden());
      const previous = store.getAck(orderId, kitchenId);
      if (previous !== undefined) return answer({ ok: true, seq: previous, duplicate: true });
      const again = replayed(eventId, orderId, EVENT_TYPES.ORDER_ACKNOWLEDGED);
      if (again) return answer(again.ok ? { ok: true, seq: again.seq, duplicate: true } : again);
      const tsMs = now();
      const state = existing.state;
      const next: OrderState = {
        ...state,
        version: state.version + 1,
        updated_at: new Date(tsMs).toISOString(),
        acknowledged_by: [...(state.acknowledged_by ?? []), kitchenId],
      };
      const changed = { ...existing, state: next, updatedMs: tsMs };
      const event = store.append(
        orderEvent(changed, EVENT_TYPES.ORDER_ACKNOWLEDGED, eventId, origin),
      );
      store.putOrder(changed);
      store.putAck(orderId, kitchenId, event.envelope.seq);
      return { result: { ok: true, seq: event.envelope.seq, duplicate: false }, events: [event] };
    });
  }

  async function handle(
    principal: Principal | null,
    type: RequestType,
    payload: unknown,
    origin?: string,
  ): Promise<CommandResult> {
    const startedMs = now();
    const refused = messageRefusal(payload, options.maxMessageBytes);
    if (refused) return refused;
    try {
      switch (type) {
        case SOCKET_EVENTS.PUBLISH: {
          if (!mayDo(principal, 'publish')) return failure('forbidden', 'your role cannot publish');
          // One level less than any message: its event wraps the order in `data`, and a consumer
          // that validates events (protocol.md) must not find that one level too deep.
          const checked = validate(PublishedOrderSchema, payload, LIMITS.MAX_DEPTH - 1);
          if (!checked.ok) return { ok: false, error: checked.error };
          if (containsBinary(payload)) {
            return failure('invalid_payload', 'an order holds JSON values only, not binary data');
          }
          const order = canonicalIds(checked.value);
          const rawEventId = (order as { event_id?: unknown }).event_id;
          if (rawEventId !== undefined && !validate(UuidSchema, rawEventId).ok) {
            return failure('invalid_payload', 'event_id: must be a UUID');
          }
          const result = await publish(principal, order, rawEventId as string | undefined, origin);
          if (result.ok && !result.duplicate) {
            options.onPublished?.(order, result.seq, startedMs);
          }
          return result;
        }
        case SOCKET_EVENTS.UPDATE: {
          if (!mayDo(principal, 'update')) return failure('forbidden', 'your role cannot update');
          const checked = validate(OrderUpdateSchema, payload);
          if (!checked.ok) return { ok: false, error: checked.error };
          return await update(principal, canonicalIds(checked.value), origin);
        }
        case SOCKET_EVENTS.ACK: {
          if (!mayDo(principal, 'ack')) return failure('forbidden', 'only kitchens acknowledge');
          const checked = validate(OrderAckSchema, payload);
          if (!checked.ok) return { ok: false, error: checked.error };
          const ack = canonicalIds(checked.value);
          return await acknowledge(principal, ack.order_id, ack.event_id, origin);
        }
        default:
          return failure('not_found', 'unknown request type');
      }
    } catch (error) {
      options.onError?.(error);
      // Its own code, so a POS can tell the operator what to fix; it retries meanwhile.
      const answer = failedWriteAnswer((options.storageProblem ?? storageProblemOf)(error));
      return failure(answer.code, answer.message);
    }
  }

  return { handle };
}
