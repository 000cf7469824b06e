import { describe, expect, it } from 'vitest';
import { findUnstorableText } from '../src/core/unstorableText.js';

describe('text central cannot store', () => {
  it('is found in values and keys at any depth: NUL and unpaired surrogates', () => {
    expect(findUnstorableText({ items: [{ notes: 'tanpa\u0000bawang' }] })).toBe('items.0.notes');
    expect(findUnstorableText({ name: 'half \ud83d pair' })).toBe('name');
    expect(findUnstorableText({ name: 'tail \udc00 first' })).toBe('name');
    expect(findUnstorableText({ 'k\u0000': 1 })).toBe('k\u0000');
    expect(findUnstorableText('\u0000')).toBe('(root)');
  });

  it('lets every whole character through: emoji pairs, Arabic, combining marks, control characters', () => {
    expect(
      findUnstorableText({ notes: 'pedas 🌶️ حار é \t\u0001', n: 1, ok: true, x: null }),
    ).toBeNull();
  });

  it('walks a nesting deeper than any stack would allow', () => {
    let deep: unknown = 'bottom\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnstorableText(deep)).toMatch(/^0(\.0)+$/);
  });
});
