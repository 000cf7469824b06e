import type { CaughtUpMessage, EventEnvelope } from '@kitchen-sync/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KitchenOrder } from '../../../../src/feed/types.js';
import { createRelayClock } from '../../../../src/feed/views/relayClock.js';
import { createStationView } from '../../../../src/feed/views/stationView.js';
import { TicketBoard } from '../../../../src/feed/views/ticketBoard.js';
import { createTicketClock } from '../../../../src/feed/views/ticketClock.js';
import type { EventSource, SocketService } from '../../../../src/socket/types.js';
import { kitchenOrder, withLines } from './tickets.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const relayNow = Date.UTC(2026, 0, 1, 13, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

/** What the clock listens to: the socket service's `event` and `sync:caught_up`. */
function fakeSocket() {
  const listeners = new Map<string, Set<(...args: never[]) => void>>();
  const socket: Pick<SocketService, 'on'> = {
    on(type, fn) {
      const set = listeners.get(type) ?? new Set();
      listeners.set(type, set);
      set.add(fn as never);
      return () => set.delete(fn as never);
    },
  };
  const emit = (type: string, ...args: unknown[]) => {
    for (const fn of listeners.get(type) ?? []) (fn as (...a: unknown[]) => void)(...args);
  };
  return {
    socket,
    caughtUp: (ts?: string, source: EventSource = 'local') =>
      emit(
        'sync:caught_up',
        { seq: 1, epoch: 'e', ...(ts ? { ts } : {}) } as CaughtUpMessage,
        source,
      ),
    event: (ts: string, source: EventSource = 'local') =>
      emit('event', { type: 'order_item_updated', ts } as EventEnvelope, source),
    listening: () => [...listeners.values()].reduce((n, set) => n + set.size, 0),
  };
}

/** A grill ticket whose line went ready `agoMs` before `relayNow`, on the relay's clock. */
const bumped = (agoMs: number): KitchenOrder =>
  withLines(kitchenOrder([{ station: 'grill', status: 'pending' }]), (item) => ({
    ...item,
    status: 'ready',
    status_at: iso(relayNow - agoMs),
  }));

const numbers = (list: readonly { ticket: { order_number: string } }[]) =>
  list.map((e) => e.ticket.order_number);

describe('relay clock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    ['an hour behind', -HOUR],
    ['an hour ahead', HOUR],
  ])('judges the recall window on the relay clock when the tablet is %s', (_, skew) => {
    vi.useFakeTimers({ now: relayNow + skew });
    const relay = fakeSocket();
    const clock = createRelayClock(relay.socket);
    relay.caughtUp(iso(relayNow));
    expect(clock.now()).toBe(relayNow);
    expect(clock.get()).toBe(-skew);

    const [recent, old] = [bumped(5 * MIN), bumped(15 * MIN)];
    const board = new TicketBoard();
    const grill = createStationView(board, { stations: ['grill'], clock });
    board.sync([recent, old]);
    // The relay takes the first (5 min) and refuses the second (15 min, past 10).
    expect(numbers(grill.recent.get())).toEqual([recent.order_number]);

    // Ticket ages run on it too, and it ticks with the tablet's clock.
    const ages = createTicketClock({ now: clock.now });
    const created = relayNow - 6 * MIN;
    expect(ages.level(created).get()).toBe('warn');
    vi.advanceTimersByTime(4 * MIN);
    expect(clock.now()).toBe(relayNow + 4 * MIN);
    expect(ages.level(created).get()).toBe('late');
    grill.stop();
    clock.stop();
  });

  it.each([
    ['an hour behind', -HOUR],
    ['an hour ahead', HOUR],
  ])(
    'judges the tickets found bumped again when the offset comes after them (tablet %s)',
    (_, skew) => {
      vi.useFakeTimers({ now: relayNow + skew });
      const relay = fakeSocket();
      const clock = createRelayClock(relay.socket);
      const [recent, old] = [bumped(5 * MIN), bumped(15 * MIN)];
      const board = new TicketBoard();
      const grill = createStationView(board, { stations: ['grill'], clock });
      // A reload: the stored tickets are on screen before the relay said what time it is.
      board.sync([recent, old]);
      expect(numbers(grill.recent.get())).not.toEqual([recent.order_number]);
      relay.caughtUp(iso(relayNow));
      expect(numbers(grill.recent.get())).toEqual([recent.order_number]);
      grill.stop();
    },
  );

  it("sets the offset at each caught_up, raises it with a newer event's ts, and reads no central ts", () => {
    vi.useFakeTimers({ now: relayNow });
    const relay = fakeSocket();
    const clock = createRelayClock(relay.socket);
    const offsets: number[] = [];
    clock.subscribe((offset) => offsets.push(offset));
    // No measure yet: the tablet's clock; a relay without `ts` and a poll's caught_up say nothing.
    relay.caughtUp();
    expect(clock.now()).toBe(relayNow);
    // A replayed event's ts is a lower bound: the first is taken, older ones do not pull it back.
    relay.event(iso(relayNow - 20 * MIN));
    relay.event(iso(relayNow - 30 * MIN));
    expect(clock.get()).toBe(-20 * MIN);
    relay.caughtUp(iso(relayNow + 2 * MIN));
    expect(clock.get()).toBe(2 * MIN);
    // A live event a little after: the same clock, read late; a newer one raises it.
    relay.event(iso(relayNow + 2 * MIN - 50));
    relay.event(iso(relayNow + 3 * MIN), 'poll');
    expect(clock.get()).toBe(3 * MIN);
    relay.event(iso(relayNow + HOUR), 'central');
    relay.caughtUp('not a time');
    expect(clock.get()).toBe(3 * MIN);
    // A reconnect's caught_up sets it even lower: the tablet's clock was reset meanwhile.
    relay.caughtUp(iso(relayNow - MIN));
    expect(clock.now()).toBe(relayNow - MIN);
    expect(offsets).toEqual([0, -20 * MIN, 2 * MIN, 3 * MIN, -MIN]);
    clock.stop();
    expect(relay.listening()).toBe(0);
  });

  it('follows the relay clock stepped back by NTP within seconds, still the best of recent samples', () => {
    vi.useFakeTimers({ now: relayNow });
    const relay = fakeSocket();
    const clock = createRelayClock(relay.socket);
    // The relay PC's clock has been 2 h ahead; the tablet's is right.
    let relayAhead = 2 * HOUR;
    const liveEvent = (lateMs = 0) => relay.event(iso(Date.now() + relayAhead - lateMs));
    relay.caughtUp(iso(relayNow + relayAhead));
    const tick = () => {
      vi.advanceTimersByTime(2_000);
      liveEvent();
    };
    for (let i = 0; i < 6; i++) tick();
    // An event read 5 s late (a busy tablet) is a low sample: it does not lower the estimate.
    vi.advanceTimersByTime(1_000);
    liveEvent(5_000);
    expect(clock.get()).toBe(2 * HOUR);

    // NTP steps the relay back: a ticket every 10 s. Right after, the old samples still count.
    relayAhead = 0;
    tick();
    expect(clock.get()).toBe(2 * HOUR);
    let followedAfterMs = 2_000;
    while (clock.get() !== 0 && followedAfterMs < HOUR) {
      tick();
      followedAfterMs += 2_000;
    }
    expect(clock.get()).toBe(0);
    // Two 10 s windows and the event that ends the second.
    expect(followedAfterMs).toBeLessThanOrEqual(22_000);

    // A quiet hour, then a reconnect replays an event logged half an hour ago: before its
    // caught_up, the estimate stays.
    vi.advanceTimersByTime(HOUR);
    relay.event(iso(Date.now() - 30 * MIN));
    expect(clock.get()).toBe(0);
    clock.stop();
  });
});
