import type { LatencySummary } from './stats.js';

type Cell = string | number | null | undefined;

/** A plain-text table with right-aligned numbers, readable in a terminal and in CI logs. */
export function table(headers: string[], rows: Cell[][]): string {
  const text = rows.map((row) =>
    row.map((cell) => (cell === null || cell === undefined ? '-' : String(cell))),
  );
  const widths = headers.map((header, c) =>
    Math.max(header.length, ...text.map((row) => row[c]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...text.map(line)].join('\n');
}

export const latency = (s: LatencySummary): string => `${s.p50} / ${s.p99} / ${s.max}`;

export const ratio = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a && b ? Math.round((a / b) * 100) / 100 : null;
