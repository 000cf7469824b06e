import { FORBIDDEN_KEYS, LIMITS } from './constants.js';
import { fieldPath, ROOT_PATH } from './issuePath.js';

export type UnsafeReason =
  | { kind: 'forbidden_key'; key: string; path: string }
  | { kind: 'too_deep'; path: string };

const forbidden = new Set<string>(FORBIDDEN_KEYS);

/**
 * Walks a parsed JSON value and reports the first prototype-polluting key or a nesting
 * deeper than `maxDepth`. Runs before schema validation so that loose schemas (orders keep
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
    if (v === null || typeof v !== 'object') continue;
    if (depth >= maxDepth) return { kind: 'too_deep', path: path || ROOT_PATH };
    // Arrays too: their keys are their indexes, so the first item's path is `items.0`.
    for (const key of Object.keys(v)) {
      const childPath = fieldPath(path, key);
      if (forbidden.has(key)) return { kind: 'forbidden_key', key, path: childPath };
      stack.push({ v: (v as Record<string, unknown>)[key], depth: depth + 1, path: childPath });
    }
  }
  return null;
}
