import type { CaughtUpMessage } from '@kitchen-sync/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRelayClock } from '../../../../src/feed/views/relayClock.js';
import { toTicket } from '../../../../src/feed/views/ticket.js';
import { createTicketClock } from '../../../../src/feed/views/ticketClock.js';
import type { SocketService } from '../../../../src/socket/types.js';
import { kitchenOrder } from './tickets.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** The true time an order is taken and reaches the relay. */
const trueNow = Date.UTC(2026, 0, 1, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

/** A socket that brings the relay's caught_up, stamped with the relay's clock. */
function relayCaughtUp(relayMs: number) {
  let caughtUp: ((message: CaughtUpMessage) => void) | undefined;
  const socket: Pick<SocketService, 'on'> = {
    on(type, fn) {
      if (type === 'sync:caught_up') caughtUp = fn as typeof caughtUp;
      return () => {};
    },
  };
  return { socket, send: () => caughtUp?.({ seq: 1, epoch: 'e', ts: iso(relayMs) }) };
}

describe("a ticket's timer", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    ['the relay PC 5 h ahead', { relay: 5 * HOUR, pos: 0, tablet: 0 }],
    ['the relay PC 5 h behind', { relay: -5 * HOUR, pos: 0, tablet: 0 }],
    ['the kitchen tablet 1 h ahead', { relay: 0, pos: 0, tablet: HOUR }],
    ['the POS 15 min slow', { relay: 0, pos: -15 * MIN, tablet: 0 }],
  ])('starts at 0:00 and turns late after 10 min with %s', (_, skew) => {
    vi.useFakeTimers({ now: trueNow + skew.tablet });
    const relay = relayCaughtUp(trueNow + skew.relay);
    const relayClock = createRelayClock(relay.socket);
    relay.send();
    const ages = createTicketClock({ now: relayClock.now });
    // The POS stamps created_at with its clock; the relay stamps received_at with its own.
    const ticket = toTicket(
      kitchenOrder([{ station: 'grill' }], {
        created_at: iso(trueNow + skew.pos),
        received_at: iso(trueNow + skew.relay),
      }),
    );
    const levels: string[] = [];
    const stop = ages.level(ticket.received_ms).subscribe((level) => levels.push(level));
    expect(ages.ageMs(ticket.received_ms)).toBe(0);
    vi.advanceTimersByTime(10 * MIN);
    expect(ages.ageMs(ticket.received_ms)).toBe(10 * MIN);
    expect(levels).toEqual(['ok', 'warn', 'late']);
    stop();
  });

  it('judges a ticket on the offset the relay clock has now, not the one of the last tick', () => {
    vi.useFakeTimers({ now: trueNow });
    const relay = relayCaughtUp(trueNow - 5 * HOUR);
    const relayClock = createRelayClock(relay.socket);
    const ages = createTicketClock({ now: relayClock.now });
    // A screen listening from the start: the tick's time is the tablet's, no offset yet.
    const stopTicks = ages.now.subscribe(() => {});
    relay.send();
    const received = trueNow - 5 * HOUR;
    const levels: string[] = [];
    const stop = ages.level(received).subscribe((level) => levels.push(level));
    expect(levels).toEqual(['ok']);
    vi.advanceTimersByTime(1_000);
    expect(levels).toEqual(['ok']);
    stop();
    stopTicks();
  });

  it("counts from created_at when the order has no received_at (an older relay's, central's)", () => {
    const order = kitchenOrder([{ station: 'grill' }], { created_at: iso(trueNow) });
    expect(toTicket(order).received_ms).toBe(trueNow);
    expect(toTicket({ ...order, received_at: 'garbage' }).received_ms).toBe(trueNow);
  });
});
