import { type ItemStatus, KITCHEN_LIMITS, type OrderStatus } from './constants.js';
import { canItemTransition, orderStatusFromLines } from './itemTransitions.js';
import { type OpenableOrder, type OrderLine, openLines, orderLines } from './orderLines.js';
import type { Order } from './schemas/order.js';
import type { OrderState } from './schemas/orderState.js';

/**
 * What a v1.1 command does to an order. `unchanged`: the order already is as asked (a repeat,
 * or the other screen got there first). `stale`: the command named a version that is no longer
 * the current one; nothing changes and the sender is answered with the order as it stands.
 */
export type KitchenOutcome =
  | { kind: 'changed'; state: OrderState; statusChanged: boolean }
  | { kind: 'unchanged' }
  | { kind: 'stale' }
  | { kind: 'refused'; code: 'invalid_transition' | 'not_found'; message: string };

const refused = (code: 'invalid_transition' | 'not_found', message: string): KitchenOutcome => ({
  kind: 'refused',
  code,
  message,
});
const UNCHANGED: KitchenOutcome = { kind: 'unchanged' };
const STALE: KitchenOutcome = { kind: 'stale' };

const isFinal = (status: OrderStatus) => status === 'completed' || status === 'cancelled';
const iso = (ms: number) => new Date(ms).toISOString();

/** A line entering `status`: its version goes up; a fired line keeps when it was fired. */
function moveLine(line: OrderLine, status: ItemStatus, nowMs: number): OrderLine {
  const { fire_at: _fireAt, ...rest } = line;
  return {
    ...rest,
    status,
    version: line.version + 1,
    status_at: iso(nowMs),
    ...(line.status === 'held' && status === 'pending' ? { fired_at: iso(nowMs) } : {}),
  };
}

/** Whether a line of the order enters another status (a hold's new `fire_at` does not). */
function lineStatusChanged(state: OrderState, lines: readonly OrderLine[]): boolean {
  const before = orderLines(state);
  return lines.some((line, index) => line.status !== before[index]?.status);
}

/**
 * The order after a change of its lines: status derived (or forced), version + 1, and
 * `status_version` moved when the order or a line changed status (not for a rush or a hold's
 * new `fire_at`): what a whole-ticket recall is checked against.
 */
function changed(
  state: OrderState,
  lines: OrderLine[],
  nowMs: number,
  status: OrderStatus = orderStatusFromLines(state.status, lines),
  extra: Partial<OrderState> = {},
): KitchenOutcome {
  const statusChanged = status !== state.status;
  const version = state.version + 1;
  return {
    kind: 'changed',
    statusChanged,
    state: {
      ...state,
      ...extra,
      items: lines,
      status,
      version,
      updated_at: iso(nowMs),
      ...(statusChanged ? { status_at: iso(nowMs) } : {}),
      ...(statusChanged || lineStatusChanged(state, lines) ? { status_version: version } : {}),
    },
  };
}

/** `…Z` and `…+00:00` name one moment: a hold repeated in another spelling changes nothing. */
const sameInstant = (a: string | undefined, b: string | undefined) =>
  a === b || (a !== undefined && b !== undefined && Date.parse(a) === Date.parse(b));

const sameCourse = (line: OrderLine, course: string | number | undefined) =>
  course === undefined || String(line.course) === String(course);

function courseMissing(lines: OrderLine[], course: string | number | undefined) {
  return course !== undefined && !lines.some((line) => sameCourse(line, course));
}

/** A new order's v1.1 state: its lines opened (or held) and when it entered `pending`. */
export function openOrder(order: OpenableOrder, nowMs: number): Order & { status_at: string } {
  const { hold: _hold, ...fields } = order;
  return { ...fields, items: openLines(order, nowMs), status_at: iso(nowMs) };
}

/** `order:item_update`: one line moves forward; the order is ready once every line is. */
export function applyItemUpdate(
  state: OrderState,
  request: { line_id: string; status: 'preparing' | 'ready'; version?: number | undefined },
  nowMs: number,
): KitchenOutcome {
  const lines = orderLines(state);
  const index = lines.findIndex((line) => line.line_id === request.line_id);
  if (index < 0) return refused('not_found', 'no such line in this order');
  const line = lines[index]!;
  // A finished order first: an old version must not make it look like a race lost.
  if (isFinal(state.status)) return refused('invalid_transition', `the order is ${state.status}`);
  // Then the version: the second of two screens bumping one line learns it was beaten (and
  // gets the line's new version) even though the line is where it wanted it.
  if (request.version !== undefined && request.version !== line.version) return STALE;
  if (line.status === request.status) return UNCHANGED;
  if (line.status === 'held')
    return refused('invalid_transition', 'the line is held; fire it first');
  if (!canItemTransition(line.status, request.status)) {
    return refused('invalid_transition', `cannot go from ${line.status} to ${request.status}`);
  }
  lines[index] = moveLine(line, request.status, nowMs);
  return changed(state, lines, nowMs);
}

/**
 * `order:hold`: the lines of a course (or of the whole order) that are not started yet are
 * held, until `fire_at` or an `order:fire`. Holding held lines again changes their `fire_at`.
 */
export function applyHold(
  state: OrderState,
  request: { course?: string | number | undefined; fire_at?: string | undefined },
  nowMs: number,
): KitchenOutcome {
  if (isFinal(state.status) || state.status === 'ready') {
    return refused('invalid_transition', `the order is ${state.status}`);
  }
  const lines = orderLines(state);
  if (courseMissing(lines, request.course)) return refused('not_found', 'no line of that course');
  let targets = 0;
  let moved = false;
  const next = lines.map((line) => {
    if (!sameCourse(line, request.course)) return line;
    if (line.status !== 'pending' && line.status !== 'held') return line;
    targets++;
    if (line.status === 'held' && sameInstant(line.fire_at, request.fire_at)) return line;
    moved = true;
    const { fire_at: _fireAt, ...rest } =
      line.status === 'held' ? line : moveLine(line, 'held', nowMs);
    return {
      ...rest,
      ...(line.status === 'held' ? { version: line.version + 1 } : {}),
      ...(request.fire_at ? { fire_at: request.fire_at } : {}),
    };
  });
  if (targets === 0) {
    return refused('invalid_transition', 'nothing to hold: those lines are already started');
  }
  return moved ? changed(state, next, nowMs) : UNCHANGED;
}

/** Held lines `pick` chooses go to `pending`; when none is held, the lines it chose. */
function fireWhere(
  state: OrderState,
  nowMs: number,
  pick: (line: OrderLine) => boolean,
): { moved: true; outcome: KitchenOutcome } | { moved: false; picked: OrderLine[] } {
  const picked: OrderLine[] = [];
  let moved = false;
  const next = orderLines(state).map((line) => {
    if (!pick(line)) return line;
    picked.push(line);
    if (line.status !== 'held') return line;
    moved = true;
    return moveLine(line, 'pending', nowMs);
  });
  return moved ? { moved, outcome: changed(state, next, nowMs) } : { moved, picked };
}

/**
 * `order:fire`: the held lines of a course (or all of them) go to the stations now. With none
 * held, it is a repeat only when a fire sent those lines (`fired_at`: a POS whose earlier fire
 * landed). Lines no fire sent (never held; or, stored by an older relay, held lines an expo
 * bump marked ready) are refused: a POS must not count as cooked a course no one was asked to.
 */
export function applyFire(
  state: OrderState,
  request: { course?: string | number | undefined },
  nowMs: number,
): KitchenOutcome {
  if (courseMissing(orderLines(state), request.course)) {
    return refused('not_found', 'no line of that course');
  }
  if (isFinal(state.status)) return refused('invalid_transition', `the order is ${state.status}`);
  const fired = fireWhere(state, nowMs, (line) => sameCourse(line, request.course));
  if (fired.moved) return fired.outcome;
  if (fired.picked.some((line) => line.fired_at !== undefined)) return UNCHANGED;
  return refused(
    'invalid_transition',
    request.course === undefined
      ? 'nothing to fire: no line is held or was ever fired'
      : `nothing to fire: course ${request.course} is not held and was never fired`,
  );
}

/** The relay's timer: held lines whose `fire_at` has come are fired. */
export function fireDue(state: OrderState, nowMs: number): KitchenOutcome {
  if (isFinal(state.status)) return UNCHANGED;
  const fired = fireWhere(
    state,
    nowMs,
    (line) =>
      line.status === 'held' && line.fire_at !== undefined && Date.parse(line.fire_at) <= nowMs,
  );
  return fired.moved ? fired.outcome : UNCHANGED;
}

/** The earliest `fire_at` of the order's held lines, in ms; undefined when none is set. */
export function nextFireAt(state: OrderState): number | undefined {
  if (isFinal(state.status)) return undefined;
  let earliest: number | undefined;
  for (const line of orderLines(state)) {
    if (line.status !== 'held' || line.fire_at === undefined) continue;
    const at = Date.parse(line.fire_at);
    if (earliest === undefined || at < earliest) earliest = at;
  }
  return earliest;
}

/**
 * Whether a whole-ticket command made at `version` (a recall, or a v1.2 `order:update`) comes
 * after a newer bump: the order (or a line) changed status since. An ack, a rush or a new
 * `fire_at` raise `version` but leave the bump the screen saw in place, so they do not make it
 * stale. An order stored before `status_version` existed has only its `version` to go by.
 */
export function bumpedSince(state: OrderState, version: number): boolean {
  const statusVersion = state.status_version;
  if (statusVersion === undefined) return version !== state.version;
  return version < statusVersion || version > state.version;
}

const outsideWindow = (since: string | undefined, nowMs: number, windowMs: number) =>
  since === undefined || nowMs - Date.parse(since) > windowMs;

/**
 * `order:recall`, within `windowMs` of the bump. With `line_id`: that ready line goes back to
 * `preparing` (and a ready or completed order with it). Without: a ready or completed order
 * goes back to `preparing` with every line of it. `version` is the line's (which moves only
 * when the line changes status, once it is ready), or the order's as the screen last saw it.
 */
export function applyRecall(
  state: OrderState,
  request: { line_id?: string | undefined; version?: number | undefined },
  nowMs: number,
  windowMs: number = KITCHEN_LIMITS.RECALL_WINDOW_MS,
): KitchenOutcome {
  if (state.status === 'cancelled') return refused('invalid_transition', 'the order is cancelled');
  const lines = orderLines(state);
  const orderBumpedAt = (state.status_at as string | undefined) ?? state.updated_at;
  const reopened: OrderStatus = state.status === 'pending' ? 'pending' : 'preparing';
  if (request.line_id !== undefined) {
    const index = lines.findIndex((line) => line.line_id === request.line_id);
    if (index < 0) return refused('not_found', 'no such line in this order');
    const line = lines[index]!;
    if (line.status !== 'ready') return UNCHANGED;
    if (request.version !== undefined && request.version !== line.version) return STALE;
    if (outsideWindow(line.status_at, nowMs, windowMs)) {
      return refused('invalid_transition', 'the recall window of this line has passed');
    }
    lines[index] = moveLine(line, 'preparing', nowMs);
    return changed(state, lines, nowMs, reopened);
  }
  if (state.status !== 'ready' && state.status !== 'completed') return UNCHANGED;
  if (request.version !== undefined && bumpedSince(state, request.version)) return STALE;
  // The bump is when its last line went ready; handing it out (completed) does not move it.
  const lastBump = lines.reduce<string | undefined>(
    (latest, line) =>
      line.status === 'ready' &&
      line.status_at !== undefined &&
      (latest === undefined || line.status_at > latest)
        ? line.status_at
        : latest,
    undefined,
  );
  if (outsideWindow(lastBump ?? orderBumpedAt, nowMs, windowMs)) {
    return refused('invalid_transition', 'the recall window of this order has passed');
  }
  const next = lines.map((line) =>
    line.status === 'ready' ? moveLine(line, 'preparing', nowMs) : line,
  );
  return changed(state, next, nowMs, 'preparing');
}

/** `order:rush`: the order's priority becomes `rush`. */
export function applyRush(state: OrderState, nowMs: number): KitchenOutcome {
  if (isFinal(state.status)) return refused('invalid_transition', `the order is ${state.status}`);
  if (state.priority === 'rush') return UNCHANGED;
  return changed(state, orderLines(state), nowMs, state.status, { priority: 'rush' });
}

/**
 * A v1 `order:update` on a v1.1 order: the order's `status_at` moves, and an order bumped to
 * `ready` or `completed` (expo) takes its started and pending lines with it, so no line outlives
 * its ticket. Held lines stay held: they were never sent to a station, and the caller refuses
 * such a bump first (`heldLinesRefusal`).
 */
export function withOrderStatus(
  next: OrderState,
  previous: OrderStatus,
  nowMs: number,
): OrderState {
  if (next.status === previous) return next;
  const timed = { ...next, status_at: iso(nowMs), status_version: next.version };
  if (next.status !== 'ready' && next.status !== 'completed') return timed;
  return {
    ...timed,
    items: orderLines(next).map((line) =>
      line.status === 'ready' || line.status === 'held' ? line : moveLine(line, 'ready', nowMs),
    ),
  };
}
