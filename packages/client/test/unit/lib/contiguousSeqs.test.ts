import { describe, expect, it } from 'vitest';
import { ContiguousSeqs } from '../../../src/lib/contiguousSeqs.js';

describe('ContiguousSeqs', () => {
  it('holds the cursor below a gap, refuses repeats, and closes the gap when it fills', () => {
    const seqs = new ContiguousSeqs({ since: 5, since_event: 'e5' });
    expect(seqs.add(7, 'e7')).toBe(true);
    expect(seqs.add(7, 'e7')).toBe(false);
    expect(seqs.add(5, 'e5')).toBe(false);
    expect(seqs.cursor).toEqual({ since: 5, since_event: 'e5' });
    expect(seqs.add(6, 'e6')).toBe(true);
    // The event at the cursor's new seq, remembered while 7 waited above the gap.
    expect(seqs.cursor).toEqual({ since: 7, since_event: 'e7' });
  });

  it('starts from the first seq when it has no cursor', () => {
    const seqs = new ContiguousSeqs();
    expect(seqs.add(40, 'e40')).toBe(true);
    expect(seqs.cursor).toEqual({ since: 40, since_event: 'e40' });
  });

  it('moves to a caught_up head, forgets what it covers and keeps what lies above', () => {
    const seqs = new ContiguousSeqs({ since: 5 });
    seqs.add(7);
    seqs.add(10, 'e10');
    seqs.caughtUp({ since: 8, since_event: 'e8' });
    expect(seqs.cursor).toEqual({ since: 8, since_event: 'e8' });
    expect(seqs.add(10)).toBe(false);
    seqs.add(9, 'e9');
    expect(seqs.cursor).toEqual({ since: 10, since_event: 'e10' });
  });

  it("keeps its event when caught_up names none at the cursor's seq, drops it at another", () => {
    const seqs = new ContiguousSeqs({ since: 5, since_event: 'e5' });
    const at = seqs.cursor;
    seqs.caughtUp({ since: 5 });
    expect(seqs.cursor).toEqual({ since: 5, since_event: 'e5' });
    seqs.caughtUp({ since: 5, since_event: 'e5' });
    expect(seqs.cursor).toEqual(at);
    seqs.caughtUp({ since: 6 });
    expect(seqs.cursor).toEqual({ since: 6 });
  });

  it('bounds what it remembers above a gap by forgetting the lowest, never by skipping', () => {
    const seqs = new ContiguousSeqs({ since: 0 }, 3);
    for (const seq of [2, 3, 4, 5]) seqs.add(seq, `e${seq}`);
    expect(seqs.cursor?.since).toBe(0);
    expect(seqs.add(3)).toBe(false);
    // 2 was forgotten: the cursor stops before it, and its repeat is let through.
    expect(seqs.add(1, 'e1')).toBe(true);
    expect(seqs.cursor).toEqual({ since: 1, since_event: 'e1' });
    expect(seqs.add(2, 'e2')).toBe(true);
    expect(seqs.cursor).toEqual({ since: 5, since_event: 'e5' });
  });
});
