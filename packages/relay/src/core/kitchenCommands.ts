import {
  applyFire,
  applyHold,
  applyItemUpdate,
  applyRecall,
  applyRush,
  type FailureAck,
  fireDue,
  KITCHEN_EVENT_TYPES,
  KITCHEN_LIMITS,
  KITCHEN_REQUEST_TYPES,
  KITCHEN_SOCKET_EVENTS,
  type KitchenCommandResult,
  type KitchenOutcome,
  type KitchenRequestType,
  type OrderEventType,
  OrderFireSchema,
  OrderHoldSchema,
  OrderItemUpdateSchema,
  OrderRecallSchema,
  OrderRushSchema,
  type OrderState,
  validate,
} from '@kitchen-sync/protocol';
import type * as v from 'valibot';
import { type Action, inScope, mayDo } from '../auth/permissions.js';
import type { Principal } from '../auth/principal.js';
import { failure } from '../lib/failure.js';
import type { EventStore, NewEvent } from '../store/EventStore.js';
import {
  failedWriteAnswer,
  type StorageProblem,
  storageProblemOf,
} from '../store/storageHealth.js';
import type { WriteOutcome, WriteQueue } from '../store/writeQueue.js';
import { canonicalIds } from './canonicalIds.js';
import { eventIdInLog, reusedEventId } from './eventIdInLog.js';
import { messageRefusal } from './messageRefusal.js';
import type { OrderCommands } from './orderCommands.js';

export interface KitchenCommandsOptions {
  store: EventStore;
  queue: WriteQueue;
  maxMessageBytes: number;
  now: () => number;
  newId: () => string;
  /** How long after a bump a recall is still taken. Default KITCHEN_LIMITS.RECALL_WINDOW_MS (10 min). */
  recallWindowMs?: number;
  /** Whether a failure was the data disk's (full, read-only, failing): what the answer says. */
  storageProblem?: (error: unknown) => StorageProblem | undefined;
  onError?: (error: unknown) => void;
}

export interface KitchenCommands extends OrderCommands {
  /** Fires the order's held lines whose `fire_at` has come; true when something was fired. */
  fireDueLines(orderId: string): Promise<boolean>;
}

type Ack = KitchenCommandResult | FailureAck;

interface Command {
  action: Action;
  schema: v.GenericSchema<unknown, { order_id: string; event_id?: string | undefined }>;
  eventType: OrderEventType;
  apply: (state: OrderState, request: never, nowMs: number) => KitchenOutcome;
}

const KITCHEN = new Set<string>(KITCHEN_REQUEST_TYPES);

/**
 * v1.1 commands (`order:item_update`, `order:hold`, `order:fire`, `order:recall`,
 * `order:rush`), in the same order of steps as the v1 ones: size → validate → authorize →
 * state change → append in the tick's transaction → ack after commit. Other request types go
 * to `next`. The relay is the last writer: commands apply in the order the write queue runs
 * them, and one naming a `version` that is no longer current changes nothing.
 */
export function createKitchenCommands(
  options: KitchenCommandsOptions,
  next: OrderCommands,
): KitchenCommands {
  const { store, queue, now, newId } = options;
  const windowMs = options.recallWindowMs ?? KITCHEN_LIMITS.RECALL_WINDOW_MS;

  const COMMANDS: Record<KitchenRequestType, Command> = {
    [KITCHEN_SOCKET_EVENTS.ITEM_UPDATE]: {
      action: 'item',
      schema: OrderItemUpdateSchema,
      eventType: KITCHEN_EVENT_TYPES.ORDER_ITEM_UPDATED,
      apply: applyItemUpdate as Command['apply'],
    },
    [KITCHEN_SOCKET_EVENTS.HOLD]: {
      action: 'hold',
      schema: OrderHoldSchema,
      eventType: KITCHEN_EVENT_TYPES.ORDER_HELD,
      apply: applyHold as Command['apply'],
    },
    [KITCHEN_SOCKET_EVENTS.FIRE]: {
      action: 'fire',
      schema: OrderFireSchema,
      eventType: KITCHEN_EVENT_TYPES.ORDER_FIRED,
      apply: applyFire as Command['apply'],
    },
    [KITCHEN_SOCKET_EVENTS.RECALL]: {
      action: 'recall',
      schema: OrderRecallSchema,
      eventType: KITCHEN_EVENT_TYPES.ORDER_RECALLED,
      apply: ((state, request, nowMs) =>
        applyRecall(state, request, nowMs, windowMs)) as Command['apply'],
    },
    [KITCHEN_SOCKET_EVENTS.RUSH]: {
      action: 'rush',
      schema: OrderRushSchema,
      eventType: KITCHEN_EVENT_TYPES.ORDER_RUSHED,
      apply: ((state, _request, nowMs) => applyRush(state, nowMs)) as Command['apply'],
    },
  };

  const answer = <T>(result: T): WriteOutcome<T> => ({ result, events: [] });
  const nothingLogged = (state: OrderState, stale: boolean): KitchenCommandResult => ({
    ok: true,
    seq: 0,
    version: state.version,
    duplicate: true,
    ...(stale ? { stale: true as const } : {}),
    order: state,
  });

  /** Appends the changed order as one event of `type`; the order's row follows it. */
  function write(
    orderId: string,
    outcome: Extract<KitchenOutcome, { kind: 'changed' }>,
    type: OrderEventType,
    eventId: string | undefined,
    origin: string | undefined,
  ): WriteOutcome<KitchenCommandResult> {
    const existing = store.getOrder(orderId)!;
    const tsMs = now();
    const { state } = outcome;
    const envelope: NewEvent['envelope'] = {
      event_id: eventId ?? newId(),
      type,
      outlet_id: state.outlet_id,
      tenant_id: state.tenant_id,
      order_id: orderId,
      data: state,
      ts: new Date(tsMs).toISOString(),
      ...(origin ? { origin } : {}),
    };
    const event = store.append({
      outlet: existing.outlet,
      tenant: existing.tenant,
      tsMs,
      envelope,
    });
    const seq = event.envelope.seq;
    store.putOrder({
      ...existing,
      state,
      updatedMs: tsMs,
      statusSeq: outcome.statusChanged ? seq : existing.statusSeq,
    });
    return {
      result: { ok: true, seq, version: state.version, duplicate: false },
      events: [event],
    };
  }

  function run(
    principal: Principal | null,
    command: Command,
    request: { order_id: string; event_id?: string | undefined },
    origin: string | undefined,
  ): Promise<Ack> {
    return queue.submit<Ack>(() => {
      const existing = store.getOrder(request.order_id);
      if (!existing) return answer(failure('not_found', 'no such order'));
      if (!inScope(principal, existing.outlet, existing.tenant)) {
        return answer(failure('forbidden', 'this order is outside your token'));
      }
      const { state } = existing;
      // Another order's or another command's id (a rush's sent with a fire) is refused.
      const seen = eventIdInLog(store, request.event_id, request.order_id, command.eventType);
      if (seen === 'other') return answer(reusedEventId());
      if (seen) {
        const { seq, version } = seen;
        return answer({ ok: true, seq, version, duplicate: true, order: state });
      }
      const outcome = command.apply(state, request as never, now());
      switch (outcome.kind) {
        case 'refused':
          return answer(failure(outcome.code, outcome.message));
        case 'unchanged':
        case 'stale':
          return answer(nothingLogged(state, outcome.kind === 'stale'));
        default:
          return write(request.order_id, outcome, command.eventType, request.event_id, origin);
      }
    });
  }

  async function guarded<T>(work: () => Promise<T>): Promise<T | FailureAck> {
    try {
      return await work();
    } catch (error) {
      options.onError?.(error);
      const answer = failedWriteAnswer((options.storageProblem ?? storageProblemOf)(error));
      return failure(answer.code, answer.message);
    }
  }

  return {
    async handle(principal, type, payload, origin) {
      if (!KITCHEN.has(type)) return next.handle(principal, type, payload, origin);
      const command = COMMANDS[type as KitchenRequestType];
      const refused = messageRefusal(payload, options.maxMessageBytes);
      if (refused) return refused;
      if (!mayDo(principal, command.action)) {
        return failure('forbidden', `your role cannot ${type.slice('order:'.length)}`);
      }
      const checked = validate(command.schema, payload);
      if (!checked.ok) return { ok: false, error: checked.error };
      return guarded(() => run(principal, command, canonicalIds(checked.value), origin));
    },

    fireDueLines(orderId) {
      return queue.submit<boolean>(() => {
        const existing = store.getOrder(orderId);
        if (!existing) return answer(false);
        const outcome = fireDue(existing.state, now());
        if (outcome.kind !== 'changed') return answer(false);
        const written = write(
          orderId,
          outcome,
          KITCHEN_EVENT_TYPES.ORDER_FIRED,
          undefined,
          'relay',
        );
        return { result: true, events: written.events };
      });
    },
  };
}
