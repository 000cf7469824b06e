export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

const round2 = (ms: number): number => Math.round(ms * 100) / 100;

/** Nearest-rank percentiles (ms) of the first `count` samples. */
export function summarize(samples: Float64Array, count = samples.length): LatencySummary {
  if (count === 0) return { count: 0, p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const sorted = samples.slice(0, count).sort();
  const at = (p: number) => sorted[Math.min(count - 1, Math.ceil(p * count) - 1)] ?? Number.NaN;
  return { count, p50: round2(at(0.5)), p99: round2(at(0.99)), max: round2(sorted[count - 1]!) };
}

/** A growable sample buffer that avoids one boxed number per sample. */
export class Samples {
  private buf: Float64Array;
  count = 0;

  constructor(initialCapacity = 1024) {
    this.buf = new Float64Array(initialCapacity);
  }

  push(value: number): void {
    if (this.count === this.buf.length) {
      const bigger = new Float64Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.count++] = value;
  }

  summary(): LatencySummary {
    return summarize(this.buf, this.count);
  }
}
