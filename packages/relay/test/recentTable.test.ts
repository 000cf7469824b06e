import { describe, expect, it } from 'vitest';
import { createRecentTable } from '../src/lib/recentTable.js';

describe('recent table', () => {
  it('moves a row noted again to the newest place, forgets old rows and caps the table', () => {
    const table = createRecentTable<{ key: string; count: number }>(1_000, 3);
    const note = (key: string, at: number) =>
      table.note(key, at, (known) => ({ key, count: (known?.count ?? 0) + 1 }));
    note('a', 0);
    note('b', 10);
    note('a', 20);
    expect(table.rows(20)).toEqual([
      { key: 'b', count: 1 },
      { key: 'a', count: 2 },
    ]);
    note('c', 30);
    note('d', 40); // over the cap: the oldest row (b) goes
    expect(table.rows(40).map((row) => row.key)).toEqual(['a', 'c', 'd']);
    expect(table.rows(40, 2).map((row) => row.key)).toEqual(['c', 'd']);
    // 'a' was last noted at 20: gone at 1,020, and noted again it starts anew.
    expect(table.rows(1_020).map((row) => row.key)).toEqual(['c', 'd']);
    expect(note('a', 1_020)).toEqual({ key: 'a', count: 1 });
  });
});
