import { fieldPath, ROOT_PATH } from '@kitchen-sync/protocol';

/** No half of a UTF-16 surrogate pair without the other half (which no encoding can write). */
function wellFormed(text: string): boolean {
  const native = (text as unknown as { isWellFormed?: () => boolean }).isWellFormed;
  if (native) return native.call(text);
  try {
    encodeURIComponent(text); // throws on exactly those (Node before 20)
    return true;
  } catch {
    return false;
  }
}

const unstorable = (text: string): boolean => text.includes('\0') || !wellFormed(text);

/**
 * The path (`items.0.notes`, spelled as every issue's) of the first text, value or key at any
 * depth, that central's PostgreSQL cannot store: U+0000 (text and jsonb refuse it) or an
 * unpaired surrogate (no UTF-8 for it). The relay's own log would keep either, but central
 * could never take the event, and the outlet's upload would stop at it for good. Null when
 * there is none. A loop, not recursion: it may run before the schema has bounded the nesting.
 */
export function findUnstorableText(value: unknown): string | null {
  const stack: Array<{ v: unknown; path: string }> = [{ v: value, path: '' }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (unstorable(v)) return path || ROOT_PATH;
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push({ v: v[i], path: fieldPath(path, i) });
      continue;
    }
    for (const key of Object.keys(v)) {
      const childPath = fieldPath(path, key);
      if (unstorable(key)) return childPath;
      stack.push({ v: (v as Record<string, unknown>)[key], path: childPath });
    }
  }
  return null;
}
