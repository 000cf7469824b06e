import { FORBIDDEN_KEYS, LIMITS } from './constants.js';

export type UnsafeReason =
  | { kind: 'forbidden_key'; key: string; path: string }
  | { kind: 'too_deep'; path: string }
  | { kind: 'bad_text'; path: string };

const forbidden = new Set<string>(FORBIDDEN_KEYS);

// Half of a UTF-16 surrogate pair without the other half: not a character in any encoding.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text no reader downstream can store: U+0000 (PostgreSQL's text and jsonb refuse it) and
 * unpaired surrogates (no UTF-8 for them). The relay's SQLite log would keep either, but
 * central could never take the event, and its uplink would stop at it for good.
 */
const isBadText = (text: string): boolean => text.includes('\0') || LONE_SURROGATE.test(text);

/**
 * Walks a parsed JSON value and reports the first prototype-polluting key, a nesting
 * deeper than `maxDepth`, or text with U+0000 or an unpaired surrogate. Runs before schema validation so that loose schemas (orders keep
 * unknown extension fields) can never let `__proto__` through.
 */
export function findUnsafe(
  value: unknown,
  maxDepth: number = LIMITS.MAX_DEPTH,
): UnsafeReason | null {
  const stack: Array<{ v: unknown; depth: number; path: string }> = [
    { v: value, depth: 0, path: '' },
  ];
  while (stack.length > 0) {
    const { v, depth, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (isBadText(v)) return { kind: 'bad_text', path: path || '(root)' };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= maxDepth) return { kind: 'too_deep', path: path || '(root)' };
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++)
        stack.push({ v: v[i], depth: depth + 1, path: `${path}[${i}]` });
      continue;
    }
    for (const key of Object.keys(v)) {
      const childPath = path ? `${path}.${key}` : key;
      if (forbidden.has(key)) return { kind: 'forbidden_key', key, path: childPath };
      if (isBadText(key)) return { kind: 'bad_text', path: childPath };
      stack.push({ v: (v as Record<string, unknown>)[key], depth: depth + 1, path: childPath });
    }
  }
  return null;
}
