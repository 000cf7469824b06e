import * as v from 'valibot';
import { EVENT_TYPE_VALUES } from '../constants.js';
import type { OrderStateSchema } from './orderState.js';
import { IdSchema, IsoTimestampSchema, SeqSchema, UuidSchema } from './primitives.js';

/** Every event a client receives, by socket, poll or central WebSocket. */
export const EventEnvelopeSchema = v.object({
  seq: v.nullable(SeqSchema),
  event_id: UuidSchema,
  type: v.picklist(EVENT_TYPE_VALUES),
  outlet_id: IdSchema,
  tenant_id: v.nullable(IdSchema),
  order_id: v.optional(UuidSchema),
  data: v.unknown(),
  ts: IsoTimestampSchema,
  origin: v.optional(v.string()),
});
export type EventEnvelope<D = unknown> = Omit<v.InferOutput<typeof EventEnvelopeSchema>, 'data'> & {
  data: D;
};
export type OrderEvent = EventEnvelope<v.InferOutput<typeof OrderStateSchema>> & {
  seq: number;
  order_id: string;
};

export interface KitchenStatusData {
  kitchen_id: string;
  status: 'connected' | 'disconnected';
  timestamp: string;
}
