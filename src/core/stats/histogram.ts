import type { Histogram } from '../report/reportModel';

/** Equal-width histogram of the finite values, filled in a second pass once min/max are known. */
export class HistogramAccumulator {
  private readonly counts: Float64Array;
  private readonly width: number;

  constructor(private readonly min: number, private readonly max: number, bins = 64) {
    this.counts = new Float64Array(max > min ? bins : 1);
    this.width = max > min ? (max - min) / bins : 1;
  }

  add(chunk: Float64Array): void {
    const last = this.counts.length - 1;
    const { counts, min, width } = this;
    for (let j = 0; j < chunk.length; j++) {
      const x = chunk[j] as number;
      if (x - x !== 0) continue;
      // Same bin as min(last, max(0, floor(v))), without the calls (hot loop of the second pass).
      const v = (x - min) / width;
      const b = v >= last ? last : v > 0 ? v | 0 : 0;
      counts[b] = (counts[b] as number) + 1;
    }
  }

  result(): Histogram {
    return { min: this.min, max: this.max, counts: Array.from(this.counts) };
  }
}
