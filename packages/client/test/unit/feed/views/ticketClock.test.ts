import { describe, expect, it } from 'vitest';
import { type AgeLevel, createTicketClock } from '../../../../src/feed/views/ticketClock.js';
import { ManualTimers } from '../../fakes/manualTimers.js';

describe('ticket clock', () => {
  it('tells a ticket only when its age crosses warn and late', () => {
    const timers = new ManualTimers();
    const clock = createTicketClock({ now: timers.now, timers, warnMs: 5_000, lateMs: 10_000 });
    const levels: AgeLevel[] = [];
    const stop = clock.level(0).subscribe((level) => levels.push(level));
    timers.advance(30_000);
    expect(levels).toEqual(['ok', 'warn', 'late']);
    expect(clock.ageMs(0)).toBe(30_000);
    stop();
  });

  it('runs one interval for every ticket, and none when nobody listens', () => {
    const timers = new ManualTimers();
    timers.time = 60_000;
    const clock = createTicketClock({ now: timers.now, timers, tickMs: 1000 });
    expect(timers.delays()).toEqual([]);
    const stops = [0, 1, 2].map((i) => clock.level(i).subscribe(() => {}));
    expect(timers.delays()).toEqual([1000]);
    for (const stop of stops) stop();
    expect(timers.delays()).toEqual([]);
  });

  it('starts a ticket already late as late', () => {
    const timers = new ManualTimers();
    timers.time = 11 * 60_000;
    const clock = createTicketClock({ now: timers.now, timers });
    expect(clock.level(0).get()).toBe('late');
    expect(clock.level(7 * 60_000).get()).toBe('ok');
    expect(clock.level(5 * 60_000).get()).toBe('warn');
  });
});
