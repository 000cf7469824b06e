import { describe, expect, test } from 'vitest';
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

describe('QueueNumbers', () => {
  test('checkouts seconds (or exactly 10 000 ms) apart get different numbers', () => {
    const numbers = new QueueNumbers(memoryStorage(), 1, 'A');
    const first = numbers.next(new Date(1_765_000_000_042));
    const second = numbers.next(new Date(1_765_000_010_042));
    expect([first, second]).toEqual(['A001', 'A002']);
  });

  test('the count survives a reload and starts again the next day', () => {
    const storage = memoryStorage();
    new QueueNumbers(storage, 1, 'A').next(at('09:00:00'));
    expect(new QueueNumbers(storage, 1, 'A').next(at('21:30:00'))).toBe('A002');
    expect(new QueueNumbers(storage, 1, 'A').next(new Date('2026-12-07T09:00:00'))).toBe('A001');
  });

  test('two kiosks with their own letters never share a number', () => {
    const storage = memoryStorage();
    const a = new QueueNumbers(storage, 1, 'A');
    const b = new QueueNumbers(storage, 1, 'B');
    const issued = [a.next(at('10:00:00')), b.next(at('10:00:00')), a.next(at('10:00:01'))];
    expect(issued).toEqual(['A001', 'B001', 'A002']);
  });

  test('a count past 999 keeps going rather than wrapping', () => {
    const storage = memoryStorage();
    storage.setItem('kitchen-sync-demo:queue-number:1:A', '{"day":"2026-12-06","last":999}');
    expect(new QueueNumbers(storage, 1, 'A').next(at('12:00:00'))).toBe('A1000');
  });

  test('an unreadable stored count starts from 1', () => {
    const storage = memoryStorage();
    storage.setItem('kitchen-sync-demo:queue-number:1:A', '{not json');
    expect(new QueueNumbers(storage, 1, 'A').next(at('12:00:00'))).toBe('A001');
  });
});

test('readTerminal takes one or two letters from ?terminal=, else A', () => {
  expect(readTerminal(new URLSearchParams('terminal=b'))).toBe('B');
  expect(readTerminal(new URLSearchParams('terminal=KD'))).toBe('KD');
  expect(readTerminal(new URLSearchParams('terminal=1; drop'))).toBe('A');
  expect(readTerminal(new URLSearchParams(''))).toBe('A');
});
