import { afterEach, describe, expect, test } from 'vitest';
import { readBusinessDay } from '../src/businessDay';
import { type CounterStore, storageCounters } from '../src/counterStore';
import { QueueNumbers, readTerminal } from '../src/queueNumbers';

/** The part of localStorage the counter uses, in memory. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
    clear: () => items.clear(),
    key: (index) => [...items.keys()][index] ?? null,
    get length() {
      return items.size;
    },
  };
}

const at = (time: string) => new Date(`2026-12-06T${time}`);
const BALI = 'Asia/Makassar'; // WITA, UTC+8

const zoneAtStart = process.env.TZ;
afterEach(() => {
  if (zoneAtStart === undefined) delete process.env.TZ;
  else process.env.TZ = zoneAtStart;
});

describe('QueueNumbers', async () => {
  test('checkouts seconds (or exactly 10 000 ms) apart get different numbers', async () => {
    const numbers = new QueueNumbers(storageCounters(memoryStorage()), 1, 'A');
    const first = await numbers.next(new Date(1_765_000_000_042));
    const second = await numbers.next(new Date(1_765_000_010_042));
    expect([first, second]).toEqual(['A001', 'A002']);
  });

  test('the count survives a reload and starts again the next day', async () => {
    const storage = memoryStorage();
    await new QueueNumbers(storageCounters(storage), 1, 'A').next(at('09:00:00'));
    expect(await new QueueNumbers(storageCounters(storage), 1, 'A').next(at('21:30:00'))).toBe(
      'A002',
    );
    expect(
      await new QueueNumbers(storageCounters(storage), 1, 'A').next(
        new Date('2026-12-07T09:00:00'),
      ),
    ).toBe('A001');
  });

  test('a stored day that is not a date is as good as none', async () => {
    const storage = memoryStorage();
    storage.setItem('kitchen-sync-demo:queue-number:1:A', '{"day":"zzz","last":41}');
    expect(await new QueueNumbers(storageCounters(storage), 1, 'A').next(at('12:00:00'))).toBe(
      'A001',
    );
  });

  test('two kiosks with their own letters never share a number', async () => {
    const storage = memoryStorage();
    const a = new QueueNumbers(storageCounters(storage), 1, 'A');
    const b = new QueueNumbers(storageCounters(storage), 1, 'B');
    const issued = [
      await a.next(at('10:00:00')),
      await b.next(at('10:00:00')),
      await a.next(at('10:00:01')),
    ];
    expect(issued).toEqual(['A001', 'B001', 'A002']);
  });

  test('a count past 999 keeps going rather than wrapping', async () => {
    const storage = memoryStorage();
    storage.setItem('kitchen-sync-demo:queue-number:1:A', '{"day":"2026-12-06","last":999}');
    expect(await new QueueNumbers(storageCounters(storage), 1, 'A').next(at('12:00:00'))).toBe(
      'A1000',
    );
  });

  test('a late-night service is one business day: no number twice across midnight', async () => {
    // A tablet set to Bali time and no outlet zone given: the tablet's zone decides.
    process.env.TZ = BALI;
    const numbers = new QueueNumbers(storageCounters(memoryStorage()), 1, 'A');
    const issued = [
      await numbers.next(new Date('2026-12-06T10:30:00Z')), // 18:30 WITA, opening
      await numbers.next(new Date('2026-12-06T15:58:00Z')), // 23:58
      await numbers.next(new Date('2026-12-06T16:01:00Z')), // 00:01
      await numbers.next(new Date('2026-12-06T19:59:00Z')), // 03:59, last guest
      await numbers.next(new Date('2026-12-07T10:30:00Z')), // 18:30 next evening
    ];
    expect(issued).toEqual(['A001', 'A002', 'A003', 'A004', 'A001']);
  });

  test('the day turns at the cut-off in the outlet zone, whatever the tablet clock zone', async () => {
    // 08:00 in Bali is midnight UTC: a tablet left on UTC must not restart mid-breakfast.
    const numbers = new QueueNumbers(storageCounters(memoryStorage()), 1, 'A', { timeZone: BALI });
    expect(await numbers.next(new Date('2026-12-06T23:59:00Z'))).toBe('A001'); // 07:59 WITA
    expect(await numbers.next(new Date('2026-12-07T00:01:00Z'))).toBe('A002'); // 08:01 WITA
    expect(await numbers.next(new Date('2026-12-07T19:59:00Z'))).toBe('A003'); // 03:59 WITA
    expect(await numbers.next(new Date('2026-12-07T20:00:00Z'))).toBe('A001'); // 04:00 WITA
  });

  test('dayStartsAt moves the cut-off', async () => {
    const numbers = new QueueNumbers(storageCounters(memoryStorage()), 1, 'A', {
      timeZone: BALI,
      dayStartsAt: '00:00',
    });
    expect(await numbers.next(new Date('2026-12-06T15:59:00Z'))).toBe('A001'); // 23:59 WITA
    expect(await numbers.next(new Date('2026-12-06T16:00:00Z'))).toBe('A001'); // 00:00 WITA
  });

  test('a clock set back across the day boundary counts on instead of a second A001', async () => {
    const numbers = new QueueNumbers(storageCounters(memoryStorage()), 1, 'A', { timeZone: BALI });
    // The tablet ran 20 minutes fast past 04:00, then NTP set it back.
    expect(await numbers.next(new Date('2026-12-06T19:55:00Z'))).toBe('A001'); // 03:55 WITA
    expect(await numbers.next(new Date('2026-12-06T20:05:00Z'))).toBe('A001'); // 04:05: a new day
    expect(await numbers.next(new Date('2026-12-06T19:50:00Z'))).toBe('A002'); // set back to 03:50
    expect(await numbers.next(new Date('2026-12-06T20:10:00Z'))).toBe('A003');
    expect(await numbers.next(new Date('2026-12-07T20:10:00Z'))).toBe('A001');
  });

  test('a count stored by the calendar-day release carries on after midnight', async () => {
    const storage = memoryStorage();
    // Written at 00:30 on 7 Dec by the release that turned the day at midnight.
    storage.setItem('kitchen-sync-demo:queue-number:1:A', '{"day":"2026-12-07","last":3}');
    const numbers = new QueueNumbers(storageCounters(storage), 1, 'A', { timeZone: BALI });
    expect(await numbers.next(new Date('2026-12-06T16:40:00Z'))).toBe('A004'); // 00:40 WITA
  });

  test('an outlet zone or cut-off that does not read is refused, not guessed', async () => {
    expect(
      () => new QueueNumbers(storageCounters(memoryStorage()), 1, 'A', { timeZone: 'Asia/Bali' }),
    ).toThrow(RangeError);
    expect(
      () => new QueueNumbers(storageCounters(memoryStorage()), 1, 'A', { dayStartsAt: '4' }),
    ).toThrow(RangeError);
  });

  test('an unreadable stored count starts from 1', async () => {
    const storage = memoryStorage();
    storage.setItem('kitchen-sync-demo:queue-number:1:A', '{not json');
    expect(await new QueueNumbers(storageCounters(storage), 1, 'A').next(at('12:00:00'))).toBe(
      'A001',
    );
  });
});

test('readBusinessDay takes ?tz= and ?day-starts=, and names what it could not read', async () => {
  expect(readBusinessDay(new URLSearchParams('tz=Asia/Makassar&day-starts=05:30'))).toEqual({
    options: { timeZone: 'Asia/Makassar', dayStartsAt: '05:30' },
    ignored: [],
  });
  expect(readBusinessDay(new URLSearchParams(''))).toEqual({ options: {}, ignored: [] });
  expect(readBusinessDay(new URLSearchParams('tz=Mars/Olympus&day-starts=25:00'))).toEqual({
    options: {},
    ignored: ['tz', 'day-starts'],
  });
});

test('readTerminal takes one or two letters from ?terminal=, else A', async () => {
  expect(readTerminal(new URLSearchParams('terminal=b'))).toBe('B');
  expect(readTerminal(new URLSearchParams('terminal=KD'))).toBe('KD');
  expect(readTerminal(new URLSearchParams('terminal=1; drop'))).toBe('A');
  expect(readTerminal(new URLSearchParams(''))).toBe('A');
});

/** The kiosk's two copies in memory: its own store, and the localStorage copy it mirrors. */
function twoCopies(): { store: CounterStore; copy: Storage } {
  const own = new Map<string, string>();
  const copy = memoryStorage();
  return {
    copy,
    store: {
      async update(key, change) {
        const next = change(own.get(key) ?? null, copy.getItem(key));
        own.set(key, next);
        copy.setItem(key, next);
        return next;
      },
    },
  };
}

test('beside a tab of the release before, the count of a business day never repeats', async () => {
  const { store, copy } = twoCopies();
  const numbers = new QueueNumbers(store, 1, 'A', { timeZone: 'UTC' });
  const key = 'kitchen-sync-demo:queue-number:1:A';
  const evening = [
    await numbers.next(new Date('2026-12-06T18:00:00Z')),
    await numbers.next(new Date('2026-12-06T20:00:00Z')),
  ];
  // The old tab, by calendar day, began again at midnight and wrote its A001 of 7 Dec.
  copy.setItem(key, '{"day":"2026-12-07","last":1}');
  const afterMidnight = await numbers.next(new Date('2026-12-07T00:40:00Z'));
  expect([...evening, afterMidnight]).toEqual(['A001', 'A002', 'A003']);
  // The old tab took numbers on the same business day: the count goes on from its.
  copy.setItem(key, '{"day":"2026-12-06","last":7}');
  expect(await numbers.next(new Date('2026-12-07T01:00:00Z'))).toBe('A008');
});
