import { describe, expectTypeOf, it } from 'vitest';
import type {
  EventEnvelope,
  EventsQuery,
  FailureAck,
  HandshakeAuth,
  Id,
  Order,
  OrderEvent,
  OrderItem,
  OrderStatus,
  OrderUpdate,
  PublishAck,
  Role,
  TokenClaims,
  UpdateAck,
  Validated,
} from '../src/index.js';
import { canTransition, eventTypeForStatus, OrderSchema, validate } from '../src/index.js';

// These checks run under `tsc --noEmit -p packages/protocol` (pnpm typecheck); at runtime
// they only have to load.
describe('inferred types', () => {
  it('Order has the fields of DESIGN §3 with their wire types', () => {
    expectTypeOf<Order['order_id']>().toEqualTypeOf<string>();
    expectTypeOf<Order['outlet_id']>().toEqualTypeOf<Id>();
    expectTypeOf<Id>().toEqualTypeOf<string | number>();
    expectTypeOf<Order['status']>().toEqualTypeOf<OrderStatus>();
    expectTypeOf<Order['total_amount']>().toEqualTypeOf<string>();
    expectTypeOf<Order['priority']>().toEqualTypeOf<'normal' | 'rush' | undefined>();
    expectTypeOf<Order['items']>().toEqualTypeOf<OrderItem[]>();
    expectTypeOf<OrderItem['quantity']>().toEqualTypeOf<number>();
    expectTypeOf<OrderItem['price']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<OrderItem['modifiers']>().toEqualTypeOf<string[] | undefined>();
  });

  it('orders and items keep extension fields as unknown', () => {
    expectTypeOf<Order['loyalty']>().toEqualTypeOf<unknown>();
    expectTypeOf<OrderItem['temperature']>().toEqualTypeOf<unknown>();
  });

  it('statuses and roles are closed unions', () => {
    expectTypeOf<OrderStatus>().toEqualTypeOf<
      'pending' | 'preparing' | 'ready' | 'completed' | 'cancelled'
    >();
    expectTypeOf<Role>().toEqualTypeOf<'pos' | 'kitchen' | 'monitor' | 'board' | 'admin'>();
    expectTypeOf<TokenClaims['role']>().toEqualTypeOf<Role>();
    expectTypeOf(canTransition).parameters.toEqualTypeOf<[OrderStatus, OrderStatus]>();
    expectTypeOf(eventTypeForStatus).parameter(0).toEqualTypeOf<OrderStatus>();
  });

  it('requests are strict objects of known keys', () => {
    expectTypeOf<OrderUpdate>().toEqualTypeOf<{
      order_id: string;
      status: OrderStatus;
      version?: number | undefined;
      event_id?: string | undefined;
      reason?: string | undefined;
    }>();
    expectTypeOf<HandshakeAuth['since']>().toEqualTypeOf<number | undefined>();
  });

  it('query numbers come out as numbers', () => {
    expectTypeOf<EventsQuery['since']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<EventsQuery['wait']>().toEqualTypeOf<number | undefined>();
  });

  it('envelopes: seq is null only for presence; order events carry an order', () => {
    expectTypeOf<EventEnvelope['seq']>().toEqualTypeOf<number | null>();
    expectTypeOf<EventEnvelope<{ a: 1 }>['data']>().toEqualTypeOf<{ a: 1 }>();
    expectTypeOf<OrderEvent['seq']>().toEqualTypeOf<number>();
    expectTypeOf<OrderEvent['data']['version']>().toEqualTypeOf<number>();
  });

  it('acks narrow on ok', () => {
    const narrow = (ack: PublishAck) => (ack.ok ? ack.seq : ack.error.code);
    expectTypeOf(narrow).returns.toEqualTypeOf<number | FailureAck['error']['code']>();
    expectTypeOf<Extract<UpdateAck, { ok: true }>['version']>().toEqualTypeOf<number>();
  });

  it('validate infers the output of its schema', () => {
    expectTypeOf(validate(OrderSchema, {})).toEqualTypeOf<Validated<Order>>();
  });
});
