import { describe, expect, it } from 'vitest';
import { ContiguousSeqs } from '../../../src/lib/contiguousSeqs.js';

describe('ContiguousSeqs', () => {
  it('holds the cursor below a gap, refuses repeats, and closes the gap when it fills', () => {
    const seqs = new ContiguousSeqs(5);
    expect(seqs.add(7)).toBe(true);
    expect(seqs.add(7)).toBe(false);
    expect(seqs.add(5)).toBe(false);
    expect(seqs.cursor).toBe(5);
    expect(seqs.add(6)).toBe(true);
    expect(seqs.cursor).toBe(7);
  });

  it('starts from the first seq when it has no cursor', () => {
    const seqs = new ContiguousSeqs();
    expect(seqs.add(40)).toBe(true);
    expect(seqs.cursor).toBe(40);
  });

  it('moves to a caught_up head, forgets what it covers and keeps what lies above', () => {
    const seqs = new ContiguousSeqs(5);
    seqs.add(7);
    seqs.add(10);
    seqs.caughtUp(8);
    expect(seqs.cursor).toBe(8);
    expect(seqs.add(10)).toBe(false);
    seqs.add(9);
    expect(seqs.cursor).toBe(10);
  });

  it('bounds what it remembers above a gap by forgetting the lowest, never by skipping', () => {
    const seqs = new ContiguousSeqs(0, 3);
    for (const seq of [2, 3, 4, 5]) seqs.add(seq);
    expect(seqs.cursor).toBe(0);
    expect(seqs.add(3)).toBe(false);
    // 2 was forgotten: the cursor stops before it, and its repeat is let through.
    expect(seqs.add(1)).toBe(true);
    expect(seqs.cursor).toBe(1);
    expect(seqs.add(2)).toBe(true);
    expect(seqs.cursor).toBe(5);
  });
});
