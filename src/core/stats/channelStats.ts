/**
 * Per-output-unit statistics gathered in the same pass as the tensor statistics: std per unit,
 * all-zero ("dead") units, identical units (hash of each unit's values, so symmetry that was never
 * broken is found without keeping the tensor), and the pooled within-unit kurtosis that tells the
 * distribution shape even when each unit was rescaled (Conv+BN folding).
 */

/** Which unit an element (flat index in storage order) belongs to. */
export interface UnitLayout {
  /** Number of units. */
  readonly units: number;
  /** Elements spanned by one step of the unit axis. */
  readonly inner: number;
  /** Length of the unit axis. */
  readonly axisLen: number;
  /** Elements of one batch block (units of later blocks are offset by axisLen). */
  readonly block: number;
}

/** Layout for units along `axis` of `dims`, with `batchAxes` leading axes indexing separate matrices. */
export function unitLayout(dims: readonly number[], axis: number, batchAxes: number): UnitLayout | undefined {
  if (axis < 0 || axis >= dims.length || batchAxes > axis) return undefined;
  const p = (a: number, b: number): number => dims.slice(a, b).reduce((x, y) => x * y, 1);
  const axisLen = dims[axis] as number;
  const batches = p(0, batchAxes);
  return { units: batches * axisLen, inner: p(axis + 1, dims.length), axisLen, block: p(batchAxes, dims.length) };
}

export interface ChannelSummary {
  readonly count: number;
  readonly stdMin: number | null;
  readonly stdMax: number | null;
  readonly stdMedian: number | null;
  /** Coefficient of variation of the per-unit std. */
  readonly stdSpread: number | null;
  readonly dead: number[];
  readonly identical: number[][];
  /** Mean over units of each unit's excess kurtosis (units with variance only). */
  readonly pooledKurtosis: number | null;
  /** Elements per unit. */
  readonly perUnit: number;
}

export class ChannelAccumulator {
  private readonly n: Float64Array;
  private readonly s1: Float64Array;
  private readonly s2: Float64Array;
  private readonly s3: Float64Array;
  private readonly s4: Float64Array;
  private readonly nonzero: Float64Array;
  private readonly h1: Int32Array;
  private readonly h2: Int32Array;
  private readonly bits = new Float64Array(1);
  private readonly words = new Int32Array(this.bits.buffer);

  constructor(private readonly layout: UnitLayout) {
    const u = layout.units;
    this.n = new Float64Array(u);
    this.s1 = new Float64Array(u);
    this.s2 = new Float64Array(u);
    this.s3 = new Float64Array(u);
    this.s4 = new Float64Array(u);
    this.nonzero = new Float64Array(u);
    this.h1 = new Int32Array(u).fill(0x811c9dc5 | 0);
    this.h2 = new Int32Array(u).fill(0x2545f491);
  }

  /** Adds the values of a chunk whose first element has flat index `offset`. */
  add(chunk: Float64Array, offset: number): void {
    const { inner, axisLen, block } = this.layout;
    const words = this.words;
    const bits = this.bits;
    for (let j = 0; j < chunk.length; j++) {
      const i = offset + j;
      const u = Math.floor(i / block) * axisLen + (Math.floor(i / inner) % axisLen);
      const x = chunk[j] as number;
      bits[0] = x === 0 ? 0 : x;
      this.h1[u] = Math.imul((this.h1[u] as number) ^ (words[0] as number), 0x01000193) ^ (words[1] as number);
      this.h2[u] = Math.imul(((this.h2[u] as number) << 5 | (this.h2[u] as number) >>> 27) ^ (words[1] as number), 0x5bd1e995) + (words[0] as number);
      if (x - x !== 0) continue;
      const x2 = x * x;
      this.n[u] = (this.n[u] as number) + 1;
      if (x !== 0) this.nonzero[u] = (this.nonzero[u] as number) + 1;
      this.s1[u] = (this.s1[u] as number) + x;
      this.s2[u] = (this.s2[u] as number) + x2;
      this.s3[u] = (this.s3[u] as number) + x2 * x;
      this.s4[u] = (this.s4[u] as number) + x2 * x2;
    }
  }

  result(): ChannelSummary {
    const u = this.layout.units;
    const stds: number[] = [];
    const dead: number[] = [];
    let kSum = 0;
    let kN = 0;
    const groups = new Map<string, number[]>();
    for (let c = 0; c < u; c++) {
      const n = this.n[c] as number;
      if (n === 0) continue;
      const m = (this.s1[c] as number) / n;
      const e2 = (this.s2[c] as number) / n;
      const v = Math.max(0, e2 - m * m);
      if (this.nonzero[c] === 0) { dead.push(c); continue; }
      stds.push(Math.sqrt(v));
      if (v > 1e-30 * Math.max(1e-300, e2) && n >= 4) {
        const e3 = (this.s3[c] as number) / n;
        const e4 = (this.s4[c] as number) / n;
        const m4 = e4 - 4 * m * e3 + 6 * m * m * e2 - 3 * m ** 4;
        kSum += m4 / (v * v) - 3;
        kN++;
      }
      const key = `${this.h1[c]}:${this.h2[c]}:${this.s1[c]}:${this.s2[c]}`;
      const g = groups.get(key);
      if (g === undefined) groups.set(key, [c]);
      else g.push(c);
    }
    const sorted = [...stds].sort((a, b) => a - b);
    const mean = stds.reduce((a, b) => a + b, 0) / Math.max(1, stds.length);
    const sd = Math.sqrt(stds.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, stds.length));
    return {
      count: u,
      stdMin: sorted.length ? (sorted[0] as number) : null,
      stdMax: sorted.length ? (sorted[sorted.length - 1] as number) : null,
      stdMedian: sorted.length ? (sorted[Math.floor(sorted.length / 2)] as number) : null,
      stdSpread: sorted.length && mean > 0 ? sd / mean : null,
      dead,
      identical: [...groups.values()].filter((g) => g.length >= 2),
      pooledKurtosis: kN > 0 ? kSum / kN : null,
      perUnit: u > 0 ? (this.n.reduce((a, b) => a + b, 0) / u) : 0,
    };
  }
}
