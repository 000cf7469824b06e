import { describe, expect, it } from 'vitest';
import {
  applyFire,
  applyHold,
  applyItemUpdate,
  applyRecall,
  applyRush,
  canItemTransition,
  fireDue,
  heldCourses,
  heldLinesRefusal,
  KITCHEN_LIMITS,
  type KitchenOutcome,
  nextFireAt,
  type OpenableOrder,
  type Order,
  type OrderLine,
  type OrderState,
  openOrder,
  orderLines,
  orderStatusFromLines,
  withOrderStatus,
} from '../src/index.js';
import { ORDER_ID, validOrder } from './fixtures.js';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const MIN = 60_000;

const ITEMS = [
  { product_id: 1, name: 'Soup', quantity: 1, course: 1, station: 'cold' },
  { product_id: 2, name: 'Steak', quantity: 1, course: 2, station: 'grill' },
  { product_id: 3, name: 'Fries', quantity: 2, course: 2, station: 'fry' },
];

/** A v1.1 order as the relay stores it after publish. */
function opened(overrides: Record<string, unknown> = {}): OrderState {
  const order = validOrder({ items: ITEMS, ...overrides }) as Order;
  return {
    ...openOrder(order, T0),
    status: 'pending',
    version: 1,
    status_version: 1,
    updated_at: new Date(T0).toISOString(),
  };
}

/** A v1 order as a v1 relay stored it: no line state at all. */
function v1Order(status: OrderState['status'] = 'pending'): OrderState {
  return { ...(validOrder({ items: ITEMS }) as Order), status, version: 3 };
}

function applied(outcome: KitchenOutcome): OrderState {
  if (outcome.kind !== 'changed') throw new Error(`expected a change, got ${outcome.kind}`);
  return outcome.state;
}
const lines = (state: OrderState) => state.items as OrderLine[];
const statuses = (state: OrderState) => orderLines(state).map((line) => line.status);

describe('item state machine', () => {
  it('moves lines forward only; held leaves only by fire, ready only by recall', () => {
    expect(canItemTransition('pending', 'preparing')).toBe(true);
    expect(canItemTransition('pending', 'ready')).toBe(true);
    expect(canItemTransition('preparing', 'ready')).toBe(true);
    expect(canItemTransition('held', 'pending')).toBe(true);
    expect(canItemTransition('held', 'preparing')).toBe(false);
    expect(canItemTransition('ready', 'preparing')).toBe(false);
    expect(canItemTransition('preparing', 'pending')).toBe(false);
    expect(canItemTransition('pending', 'held')).toBe(false);
  });

  it('derives the order status from its lines', () => {
    const s = (...list: OrderLine['status'][]) => list.map((status) => ({ status }));
    expect(orderStatusFromLines('pending', s('pending', 'held'))).toBe('pending');
    expect(orderStatusFromLines('pending', s('preparing', 'pending'))).toBe('preparing');
    expect(orderStatusFromLines('pending', s('ready', 'pending'))).toBe('preparing');
    expect(orderStatusFromLines('preparing', s('ready', 'ready'))).toBe('ready');
    expect(orderStatusFromLines('preparing', s('pending'))).toBe('preparing');
    expect(orderStatusFromLines('completed', s('pending'))).toBe('completed');
    expect(orderStatusFromLines('cancelled', s('ready'))).toBe('cancelled');
  });
});

describe('line ids and v1 orders', () => {
  it('keeps the POS line id and derives order_id:index for items without one', () => {
    const state = opened({ items: [{ ...ITEMS[0], line_id: 'L-soup' }, ITEMS[1]] });
    expect(lines(state).map((l) => l.line_id)).toEqual(['L-soup', `${ORDER_ID}:1`]);
    expect(lines(state).every((l) => l.status === 'pending' && l.version === 1)).toBe(true);
    expect(state.status_at).toBe(new Date(T0).toISOString());
  });

  it('replaces line state a POS sent with a new order', () => {
    const state = opened({
      items: [{ ...ITEMS[0], status: 'ready', version: 9, fire_at: '2026-03-01T13:00:00Z' }],
    });
    expect(lines(state)[0]).toMatchObject({ status: 'pending', version: 1 });
    expect(lines(state)[0]!.fire_at).toBeUndefined();
  });

  it('reads a v1 order without line state as lines standing where the order does', () => {
    expect(statuses(v1Order('pending'))).toEqual(['pending', 'pending', 'pending']);
    expect(statuses(v1Order('preparing'))).toEqual(['preparing', 'preparing', 'preparing']);
    expect(statuses(v1Order('completed'))).toEqual(['ready', 'ready', 'ready']);
    expect(orderLines(v1Order()).map((l) => l.line_id)).toEqual(
      [0, 1, 2].map((i) => `${ORDER_ID}:${i}`),
    );
    // Reading does not change the order.
    expect(v1Order().items[0]).not.toHaveProperty('line_id');
  });

  it('reads the held courses of an order as the POS sent it (central brings it so), while pending', () => {
    const sent = { ...v1Order('pending'), hold: [{ course: 2 }] } as OpenableOrder;
    expect(statuses(sent as OrderState)).toEqual(['pending', 'held', 'held']);
    expect(statuses({ ...sent, status: 'preparing' } as OrderState)).toEqual([
      'preparing',
      'preparing',
      'preparing',
    ]);
  });

  it('bumps a line of a v1 order by its derived id', () => {
    const next = applied(
      applyItemUpdate(v1Order(), { line_id: `${ORDER_ID}:1`, status: 'ready' }, T0),
    );
    expect(statuses(next)).toEqual(['pending', 'ready', 'pending']);
    expect(next.status).toBe('preparing');
    expect(next.version).toBe(4);
    expect(lines(next)[1]!.version).toBe(2);
  });
});

describe('order:item_update', () => {
  it('makes the order ready when its last line is, with versions that count', () => {
    let state = opened();
    state = applied(
      applyItemUpdate(state, { line_id: `${ORDER_ID}:0`, status: 'preparing' }, T0 + MIN),
    );
    expect(state).toMatchObject({ status: 'preparing', version: 2 });
    state = applied(
      applyItemUpdate(state, { line_id: `${ORDER_ID}:0`, status: 'ready' }, T0 + 2 * MIN),
    );
    state = applied(
      applyItemUpdate(state, { line_id: `${ORDER_ID}:1`, status: 'ready' }, T0 + 3 * MIN),
    );
    expect(state.status).toBe('preparing');
    state = applied(
      applyItemUpdate(state, { line_id: `${ORDER_ID}:2`, status: 'ready' }, T0 + 4 * MIN),
    );
    expect(state).toMatchObject({ status: 'ready', version: 5 });
    expect(state.status_at).toBe(new Date(T0 + 4 * MIN).toISOString());
    expect(lines(state).map((l) => l.version)).toEqual([3, 2, 2]);
  });

  it('answers a repeat as unchanged and a backward move as invalid_transition', () => {
    const state = applied(
      applyItemUpdate(opened(), { line_id: `${ORDER_ID}:0`, status: 'ready' }, T0),
    );
    expect(applyItemUpdate(state, { line_id: `${ORDER_ID}:0`, status: 'ready' }, T0).kind).toBe(
      'unchanged',
    );
    expect(
      applyItemUpdate(state, { line_id: `${ORDER_ID}:0`, status: 'preparing' }, T0),
    ).toMatchObject({
      kind: 'refused',
      code: 'invalid_transition',
    });
  });

  it('answers a bump with a stale line version as stale, the current one applies', () => {
    const first = applied(
      applyItemUpdate(opened(), { line_id: `${ORDER_ID}:1`, status: 'preparing', version: 1 }, T0),
    );
    expect(
      applyItemUpdate(first, { line_id: `${ORDER_ID}:1`, status: 'ready', version: 1 }, T0).kind,
    ).toBe('stale');
    expect(
      applyItemUpdate(first, { line_id: `${ORDER_ID}:1`, status: 'ready', version: 2 }, T0).kind,
    ).toBe('changed');
  });

  it('tells the second of two screens bumping one line that it was beaten, not that it won', () => {
    const bumped = applied(
      applyItemUpdate(opened(), { line_id: `${ORDER_ID}:0`, status: 'ready', version: 1 }, T0),
    );
    expect(
      applyItemUpdate(bumped, { line_id: `${ORDER_ID}:0`, status: 'ready', version: 1 }, T0).kind,
    ).toBe('stale');
    // A finished order is refused whatever version comes with the bump.
    expect(
      applyItemUpdate(
        v1Order('cancelled'),
        { line_id: `${ORDER_ID}:0`, status: 'ready', version: 99 },
        T0,
      ),
    ).toMatchObject({ kind: 'refused', code: 'invalid_transition' });
  });

  it('refuses unknown lines, held lines and finished orders', () => {
    expect(applyItemUpdate(opened(), { line_id: 'nope', status: 'ready' }, T0)).toMatchObject({
      kind: 'refused',
      code: 'not_found',
    });
    const held = opened({ hold: [{ course: 2 }] });
    expect(applyItemUpdate(held, { line_id: `${ORDER_ID}:1`, status: 'ready' }, T0)).toMatchObject({
      kind: 'refused',
      code: 'invalid_transition',
    });
    expect(
      applyItemUpdate(v1Order('cancelled'), { line_id: `${ORDER_ID}:0`, status: 'ready' }, T0),
    ).toMatchObject({ kind: 'refused', code: 'invalid_transition' });
  });
});

describe('hold and fire', () => {
  it('takes one fire_at written two ways as one moment: holding again changes nothing', () => {
    const held = applied(
      applyHold(opened(), { course: 2, fire_at: '2026-03-01T12:30:00.000Z' }, T0),
    );
    expect(applyHold(held, { course: 2, fire_at: '2026-03-01T19:30:00+07:00' }, T0).kind).toBe(
      'unchanged',
    );
    expect(applyHold(held, { course: 2, fire_at: '2026-03-01T12:31:00Z' }, T0).kind).toBe(
      'changed',
    );
  });

  it('holds a course at publish, fires it by fire_at', () => {
    const fireAt = new Date(T0 + 15 * MIN).toISOString();
    const state = opened({ hold: [{ course: 2, fire_at: fireAt }] });
    expect(state).not.toHaveProperty('hold');
    expect(statuses(state)).toEqual(['pending', 'held', 'held']);
    expect(nextFireAt(state)).toBe(T0 + 15 * MIN);
    expect(fireDue(state, T0 + 15 * MIN - 1).kind).toBe('unchanged');
    const fired = applied(fireDue(state, T0 + 15 * MIN));
    expect(statuses(fired)).toEqual(['pending', 'pending', 'pending']);
    expect(lines(fired)[1]).toMatchObject({ fired_at: fireAt, version: 2 });
    expect(lines(fired)[1]!.fire_at).toBeUndefined();
    expect(nextFireAt(fired)).toBeUndefined();
  });

  it('holds the lines not started, fires them by command, and repeats converge', () => {
    let state = applied(
      applyItemUpdate(opened(), { line_id: `${ORDER_ID}:0`, status: 'preparing' }, T0),
    );
    state = applied(applyHold(state, {}, T0 + MIN));
    expect(statuses(state)).toEqual(['preparing', 'held', 'held']);
    expect(applyHold(state, {}, T0 + MIN).kind).toBe('unchanged');
    expect(
      applied(applyHold(state, { fire_at: new Date(T0 + 9 * MIN).toISOString() }, T0)).items,
    ).toMatchObject([{}, { fire_at: new Date(T0 + 9 * MIN).toISOString() }, {}]);
    state = applied(applyFire(state, { course: 2 }, T0 + 2 * MIN));
    expect(statuses(state)).toEqual(['preparing', 'pending', 'pending']);
    expect(applyFire(state, { course: 2 }, T0 + 2 * MIN).kind).toBe('unchanged');
  });

  it('refuses a hold of started lines, unknown courses and ready orders', () => {
    let state = opened();
    for (const i of [0, 1, 2]) {
      state = applied(
        applyItemUpdate(
          state,
          { line_id: `${ORDER_ID}:${i}`, status: i === 0 ? 'ready' : 'preparing' },
          T0,
        ),
      );
    }
    expect(applyHold(state, { course: 2 }, T0)).toMatchObject({
      kind: 'refused',
      code: 'invalid_transition',
    });
    expect(applyHold(opened(), { course: 7 }, T0)).toMatchObject({
      kind: 'refused',
      code: 'not_found',
    });
    expect(applyFire(opened(), { course: 7 }, T0)).toMatchObject({
      kind: 'refused',
      code: 'not_found',
    });
    expect(applyHold(v1Order('ready'), {}, T0)).toMatchObject({
      kind: 'refused',
      code: 'invalid_transition',
    });
  });
});

describe('recall', () => {
  const allReady = (at: number) => {
    let state = opened();
    for (const i of [0, 1, 2]) {
      state = applied(applyItemUpdate(state, { line_id: `${ORDER_ID}:${i}`, status: 'ready' }, at));
    }
    return state;
  };

  it('recalls one line within the window, the ready order goes back to preparing', () => {
    const state = allReady(T0);
    const recalled = applied(applyRecall(state, { line_id: `${ORDER_ID}:1` }, T0 + 9 * MIN));
    expect(statuses(recalled)).toEqual(['ready', 'preparing', 'ready']);
    expect(recalled.status).toBe('preparing');
    expect(applyRecall(recalled, { line_id: `${ORDER_ID}:1` }, T0 + 9 * MIN).kind).toBe(
      'unchanged',
    );
    expect(
      applyRecall(state, { line_id: `${ORDER_ID}:1` }, T0 + KITCHEN_LIMITS.RECALL_WINDOW_MS + 1),
    ).toMatchObject({
      kind: 'refused',
      code: 'invalid_transition',
    });
  });

  it('recalls a completed ticket with every line, once; a stale order version is stale', () => {
    const done = withOrderStatus(
      { ...allReady(T0), status: 'completed', version: 5 },
      'ready',
      T0 + MIN,
    );
    expect(applyRecall(done, { version: 4 }, T0 + 2 * MIN).kind).toBe('stale');
    const recalled = applied(applyRecall(done, { version: 5 }, T0 + 2 * MIN));
    expect(recalled).toMatchObject({ status: 'preparing', version: 6 });
    expect(statuses(recalled)).toEqual(['preparing', 'preparing', 'preparing']);
    expect(applyRecall(recalled, {}, T0 + 2 * MIN).kind).toBe('unchanged');
    expect(applyRecall(done, {}, T0 + MIN + KITCHEN_LIMITS.RECALL_WINDOW_MS + 1).kind).toBe(
      'refused',
    );
    expect(applyRecall(v1Order('cancelled'), {}, T0).kind).toBe('refused');
  });

  // What the relay's order:ack does to an order: a version, no status.
  const acked = (state: OrderState): OrderState => ({
    ...state,
    version: state.version + 1,
    acknowledged_by: ['kds-grill'],
  });

  it('takes a whole-ticket recall made before a late ack or a rush of the bumped order', () => {
    const bumped = allReady(T0);
    expect(bumped).toMatchObject({ status: 'ready', version: 4, status_version: 4 });
    const moved = applied(applyRush(acked(bumped), T0 + MIN));
    expect(moved).toMatchObject({ status: 'ready', version: 6, status_version: 4 });
    const recalled = applied(applyRecall(moved, { version: 4 }, T0 + 2 * MIN));
    expect(recalled).toMatchObject({ status: 'preparing', version: 7, status_version: 7 });
    expect(statuses(recalled)).toEqual(['preparing', 'preparing', 'preparing']);
    // A version the order never had is no bump a screen saw.
    expect(applyRecall(moved, { version: 7 }, T0 + 2 * MIN).kind).toBe('stale');
  });

  it('answers stale a whole-ticket recall of a bump another recall and a new bump replaced', () => {
    let state = applied(applyRecall(allReady(T0), { version: 4 }, T0 + MIN));
    for (const i of [0, 1, 2]) {
      state = applied(
        applyItemUpdate(state, { line_id: `${ORDER_ID}:${i}`, status: 'ready' }, T0 + 2 * MIN),
      );
    }
    expect(state).toMatchObject({ status: 'ready', version: 8, status_version: 8 });
    expect(applyRecall(state, { version: 4 }, T0 + 3 * MIN).kind).toBe('stale');
    expect(applyRecall(acked(state), { version: 8 }, T0 + 3 * MIN).kind).toBe('changed');
  });

  it('answers stale a whole-ticket recall of a ready ticket handed out since', () => {
    const done = withOrderStatus(
      { ...acked(allReady(T0)), status: 'completed', version: 6 },
      'ready',
      T0 + MIN,
    );
    expect(done.status_version).toBe(6);
    expect(applyRecall(done, { version: 5 }, T0 + 2 * MIN).kind).toBe('stale');
  });

  it('goes by the version alone for an order stored before status_version', () => {
    const { status_version: _statusVersion, ...old } = acked(allReady(T0));
    expect(applyRecall(old, { version: 4 }, T0 + MIN).kind).toBe('stale');
    expect(applyRecall(old, { version: 5 }, T0 + MIN).kind).toBe('changed');
  });

  it('times a whole-ticket recall from the bump, not from handing it out', () => {
    const handedOut = withOrderStatus(
      { ...allReady(T0), status: 'completed', version: 5 },
      'ready',
      T0 + 9 * MIN,
    );
    expect(applyRecall(handedOut, {}, T0 + 15 * MIN)).toMatchObject({
      kind: 'refused',
      code: 'invalid_transition',
    });
    expect(applyRecall(handedOut, {}, T0 + 9 * MIN).kind).toBe('changed');
  });
});

describe('expo bump and rush', () => {
  it('an order bumped to ready takes its lines with it, but never a held one', () => {
    const state = applied(
      applyFire(opened({ hold: [{ course: 2 }] }), { course: 2 }, T0 + MIN / 2),
    );
    const bumped = withOrderStatus({ ...state, status: 'ready', version: 3 }, 'pending', T0 + MIN);
    expect(statuses(bumped)).toEqual(['ready', 'ready', 'ready']);
    expect(bumped.status_at).toBe(new Date(T0 + MIN).toISOString());
    const held = opened({ hold: [{ course: 2, fire_at: new Date(T0 + 9 * MIN).toISOString() }] });
    const forced = withOrderStatus({ ...held, status: 'ready', version: 2 }, 'pending', T0 + MIN);
    expect(statuses(forced)).toEqual(['ready', 'held', 'held']);
    expect(lines(forced)[1]!.fire_at).toBe(new Date(T0 + 9 * MIN).toISOString());
    const cancelled = withOrderStatus({ ...held, status: 'cancelled' }, 'pending', T0);
    expect(statuses(cancelled)).toEqual(['pending', 'held', 'held']);
  });

  it('refuses an order-level ready or completed while a course is held, naming it', () => {
    const held = opened({ hold: [{ course: 2 }] });
    expect(heldCourses(held)).toEqual([2]);
    expect(heldLinesRefusal(held, 'ready')).toBe(
      'course 2 is held: fire it first, or cancel the order',
    );
    expect(heldLinesRefusal(held, 'completed')).toBe(
      'course 2 is held: fire it first, or cancel the order',
    );
    expect(heldLinesRefusal(held, 'cancelled')).toBeUndefined();
    expect(heldLinesRefusal(held, 'preparing')).toBeUndefined();
    const fired = applied(applyFire(held, { course: 2 }, T0));
    expect(heldLinesRefusal(fired, 'ready')).toBeUndefined();
    const twoCourses = opened({
      items: [...ITEMS, { product_id: 4, name: 'Cake', quantity: 1, course: 3 }],
      hold: [{ course: 2 }, { course: 3 }],
    });
    expect(heldLinesRefusal(twoCourses, 'ready')).toBe(
      'courses 2, 3 are held: fire them first, or cancel the order',
    );
    const noCourse = opened({
      items: [{ product_id: 1, name: 'Soup', quantity: 1 }],
      hold: [{}],
    });
    expect(heldLinesRefusal(noCourse, 'ready')).toBe(
      'some lines are held: fire them first, or cancel the order',
    );
    expect(heldLinesRefusal(v1Order('preparing'), 'ready')).toBeUndefined();
  });

  it('answers a fire of lines no fire sent as invalid_transition, not as a repeat', () => {
    // Never held: course 1 went to the stations with the order.
    expect(applyFire(opened({ hold: [{ course: 2 }] }), { course: 1 }, T0)).toEqual({
      kind: 'refused',
      code: 'invalid_transition',
      message: 'nothing to fire: course 1 is not held and was never fired',
    });
    expect(applyFire(opened(), {}, T0)).toMatchObject({
      kind: 'refused',
      message: 'nothing to fire: no line is held or was ever fired',
    });
    // As an older relay stored it: expo bumped the order ready with course 2 still held.
    const held = opened({ hold: [{ course: 2 }] });
    const legacy: OrderState = {
      ...held,
      status: 'ready',
      version: 2,
      status_version: 2,
      items: lines(held).map((line) => ({ ...line, status: 'ready', version: line.version + 1 })),
    };
    expect(statuses(legacy)).toEqual(['ready', 'ready', 'ready']);
    expect(applyFire(legacy, { course: 2 }, T0 + MIN)).toMatchObject({
      kind: 'refused',
      code: 'invalid_transition',
    });
    // A fire that landed is a repeat, started or bumped since, with or without a course.
    let fired = applied(applyFire(held, { course: 2 }, T0));
    fired = applied(applyItemUpdate(fired, { line_id: `${ORDER_ID}:1`, status: 'ready' }, T0));
    expect(applyFire(fired, { course: 2 }, T0).kind).toBe('unchanged');
    expect(applyFire(fired, {}, T0).kind).toBe('unchanged');
  });

  it('moves status_version with a status, not with a rush or a new fire_at', () => {
    const held = opened({ hold: [{ course: 2, fire_at: '2026-03-01T13:00:00.000Z' }] });
    const retimed = applied(
      applyHold(held, { course: 2, fire_at: '2026-03-01T14:00:00.000Z' }, T0),
    );
    expect(retimed).toMatchObject({ version: 2, status_version: 1 });
    const rushed = applied(applyRush(retimed, T0));
    expect(rushed).toMatchObject({ version: 3, status_version: 1 });
    // A line bump that leaves the order preparing still moves it.
    const started = applied(
      applyItemUpdate(rushed, { line_id: `${ORDER_ID}:0`, status: 'preparing' }, T0),
    );
    expect(started).toMatchObject({ status: 'preparing', version: 4, status_version: 4 });
    const bumped = applied(
      applyItemUpdate(started, { line_id: `${ORDER_ID}:0`, status: 'ready' }, T0),
    );
    expect(bumped).toMatchObject({ status: 'preparing', version: 5, status_version: 5 });
    const fired = applied(applyFire(bumped, { course: 2 }, T0));
    expect(fired).toMatchObject({ version: 6, status_version: 6 });
  });

  it('rushes an open order once', () => {
    const rushed = applied(applyRush(opened(), T0));
    expect(rushed).toMatchObject({ priority: 'rush', version: 2, status: 'pending' });
    expect(applyRush(rushed, T0).kind).toBe('unchanged');
    expect(applyRush(v1Order('completed'), T0).kind).toBe('refused');
  });
});
