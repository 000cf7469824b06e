const LINE_WIDTH = 100;
// An array whose items are all numbers, strings, booleans or null, one per line.
const PRIMITIVE_ARRAY =
  /^( *)("[^"\n]*": )?\[\n((?: *(?:-?\d[\d.eE+-]*|"(?:[^"\\\n]|\\.)*"|true|false|null),?\n)+) *\]/gm;

/**
 * JSON as Biome formats it (arrays of primitives on one line when they fit), so a result
 * file written by the bench passes `pnpm lint` as it is committed.
 */
export function toResultsJson(value: unknown): string {
  const pretty = JSON.stringify(value, null, 2);
  const collapsed = pretty.replace(
    PRIMITIVE_ARRAY,
    (block, indent: string, key: string | undefined, items: string) => {
      const values = items
        .split('\n')
        .map((line) => line.trim().replace(/,$/, ''))
        .filter(Boolean);
      const line = `${indent}${key ?? ''}[${values.join(', ')}]`;
      return line.length <= LINE_WIDTH ? line : block;
    },
  );
  return `${collapsed}\n`;
}
