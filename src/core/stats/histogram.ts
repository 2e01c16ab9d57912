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
    for (let j = 0; j < chunk.length; j++) {
      const x = chunk[j] as number;
      if (x - x !== 0) continue;
      const b = Math.min(last, Math.max(0, Math.floor((x - this.min) / this.width)));
      this.counts[b] = (this.counts[b] as number) + 1;
    }
  }

  result(): Histogram {
    return { min: this.min, max: this.max, counts: Array.from(this.counts) };
  }
}
