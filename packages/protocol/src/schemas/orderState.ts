import * as v from 'valibot';
import { OrderSchema } from './order.js';
import { IsoTimestampSchema, TextSchema } from './primitives.js';

// Its own module, as PublishedOrderSchema is: the client's bundles that validate orders as a
// POS publishes them (OrderSchema) do not carry the relay's state (esbuild keeps an unused
// schema built on `...OrderSchema.entries` when it shares their module).

/** An order as the relay holds it: the published order plus its state. */
export const OrderStateSchema = v.looseObject({
  ...OrderSchema.entries,
  version: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
  updated_at: v.optional(IsoTimestampSchema),
  /**
   * When the relay logged the order, on the relay's clock. A ticket's timer counts from
   * it: `created_at` is the POS's clock, and a screen measuring on the relay's would be off
   * by whatever the two disagree.
   */
  received_at: v.optional(IsoTimestampSchema),
  acknowledged_by: v.optional(v.array(v.string())),
  status_reason: v.optional(TextSchema),
  /** v1.1: when the order entered its status (a recall's window counts from it). */
  status_at: v.optional(IsoTimestampSchema),
  /**
   * v1.1: the `version` at which the order or one of its lines last changed status. A
   * whole-ticket recall naming an older version is stale; one naming a version an ack or a
   * rush moved on from is not.
   */
  status_version: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(1))),
});
export type OrderState = v.InferOutput<typeof OrderStateSchema>;
