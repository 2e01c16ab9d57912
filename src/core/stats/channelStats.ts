/**
 * Per-output-unit statistics gathered in the same pass as the tensor statistics: std per unit,
 * all-zero ("dead") units, identical units (a hash of each unit's values and its power sums, so
 * symmetry that was never broken is found without keeping the tensor), and the pooled within-unit kurtosis that tells the
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
  /** Finite-value count and first two raw moments per unit (for per-gate / per-group statistics). */
  readonly unitCounts: Float64Array;
  readonly unitSums: Float64Array;
  readonly unitSquares: Float64Array;
}

/** Mean and population std of the units in [start, end), from the per-unit sums. */
export function groupMoments(s: ChannelSummary, start: number, end: number): { count: number; mean: number; std: number } {
  let n = 0;
  let s1 = 0;
  let s2 = 0;
  for (let u = Math.max(0, start); u < Math.min(end, s.unitCounts.length); u++) {
    n += s.unitCounts[u] as number;
    s1 += s.unitSums[u] as number;
    s2 += s.unitSquares[u] as number;
  }
  const mean = n > 0 ? s1 / n : NaN;
  return { count: n, mean, std: n > 0 ? Math.sqrt(Math.max(0, s2 / n - mean * mean)) : NaN };
}

export class ChannelAccumulator {
  private readonly n: Float64Array;
  private readonly s1: Float64Array;
  private readonly s2: Float64Array;
  private readonly s3: Float64Array;
  private readonly s4: Float64Array;
  private readonly nonzero: Float64Array;
  private readonly h1: Int32Array;
  private readonly bits = new Float64Array(1);
  private readonly words = new Int32Array(this.bits.buffer);
  /** The same arrays, for the module-level kernel (a plain function JITs more predictably than a method here). */
  private readonly sums: UnitSums;

  constructor(private readonly layout: UnitLayout) {
    const u = layout.units;
    this.n = new Float64Array(u);
    this.s1 = new Float64Array(u);
    this.s2 = new Float64Array(u);
    this.s3 = new Float64Array(u);
    this.s4 = new Float64Array(u);
    this.nonzero = new Float64Array(u);
    this.h1 = new Int32Array(u).fill(0x811c9dc5 | 0);
    this.sums = { n: this.n, s1: this.s1, s2: this.s2, s3: this.s3, s4: this.s4, nonzero: this.nonzero, h1: this.h1, bits: this.bits, words: this.words };
  }

  /**
   * Adds the values of a chunk whose first element has flat index `offset`.
   * Hot loop (bench: it dominated the analysis profile). A unit's sums live in locals while its
   * elements are visited: along runs of `inner` elements, or, when units are the last axis
   * (inner = 1, e.g. MatMul [K, N]), column by column over the chunk's full rows (the rows stay
   * in L1). Each unit still sees its elements in storage order with the same arithmetic, so the
   * results are bit-identical to the plain per-element loop.
   */
  add(chunk: Float64Array, offset: number): void {
    const { inner, axisLen, block } = this.layout;
    const len = chunk.length;
    if (len === 0 || inner === 0 || axisLen === 0) return;
    const w = new Int32Array(chunk.buffer, chunk.byteOffset, len * 2);
    if (inner !== 1 || len < 4 * axisLen) {
      this.addRuns(chunk, w, 0, len, offset);
      return;
    }
    const rowsPerBlock = block / axisLen;
    let j = (axisLen - (offset % axisLen)) % axisLen;
    this.addRuns(chunk, w, 0, j, offset);
    let row = (offset + j) / axisLen;
    while (j + axisLen <= len) {
      const rows = Math.min(Math.floor((len - j) / axisLen), rowsPerBlock - (row % rowsPerBlock));
      this.addColumns(chunk, w, j, rows, Math.floor(row / rowsPerBlock) * axisLen);
      j += rows * axisLen;
      row += rows;
    }
    this.addRuns(chunk, w, j, len, offset + j);
  }

  /** chunk[j0, j1) (flat index of chunk[j0] is `i0`), one run of `inner` elements per unit visit. */
  private addRuns(chunk: Float64Array, w: Int32Array, j0: number, j1: number, i0: number): void {
    if (j0 >= j1) return;
    const { inner, axisLen, block } = this.layout;
    // Units repeat every `axisLen` runs and shift by `axisLen` every `perBlock` runs (batch axes).
    const perBlock = block / inner;
    const run = Math.floor(i0 / inner);
    let pos = run % axisLen;
    let inBlock = run % perBlock;
    let base = Math.floor(run / perBlock) * axisLen;
    let left = inner - (i0 % inner);
    for (let j = j0; j < j1; ) {
      const end = Math.min(j1, j + left);
      addUnit(this.sums, chunk, w, base + pos, j, end, 1);
      j = end;
      left = inner;
      pos++;
      if (pos === axisLen) pos = 0;
      inBlock++;
      if (inBlock === perBlock) {
        inBlock = 0;
        base += axisLen;
      }
    }
  }

  /** `rows` full rows starting at chunk[j0] whose units are base + column (inner = 1). */
  private addColumns(chunk: Float64Array, w: Int32Array, j0: number, rows: number, base: number): void {
    const axisLen = this.layout.axisLen;
    const end = j0 + rows * axisLen;
    for (let c = 0; c < axisLen; c++) addUnit(this.sums, chunk, w, base + c, j0 + c, end, axisLen);
  }

  /**
   * Units with the same hash of their values (in order) and the same four power sums, split
   * further when the sums differ: a 32-bit hash alone could collide, hash and sums together
   * only for units that are the same.
   */
  private identicalGroups(byHash: ReadonlyMap<number, number[]>): number[][] {
    const out: number[][] = [];
    for (const units of byHash.values()) {
      if (units.length < 2) continue;
      const bySums = new Map<string, number[]>();
      for (const c of units) {
        const key = `${this.s1[c]}:${this.s2[c]}:${this.s3[c]}:${this.s4[c]}:${this.n[c]}`;
        const g = bySums.get(key);
        if (g === undefined) bySums.set(key, [c]);
        else g.push(c);
      }
      for (const g of bySums.values()) if (g.length >= 2) out.push(g);
    }
    return out.sort((a, b) => (a[0] as number) - (b[0] as number));
  }

  result(): ChannelSummary {
    const u = this.layout.units;
    const stds: number[] = [];
    const dead: number[] = [];
    let kSum = 0;
    let kN = 0;
    const byHash = new Map<number, number[]>();
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
      const h = this.h1[c] as number;
      const g = byHash.get(h);
      if (g === undefined) byHash.set(h, [c]);
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
      identical: this.identicalGroups(byHash),
      pooledKurtosis: kN > 0 ? kSum / kN : null,
      perUnit: u > 0 ? (this.n.reduce((a, b) => a + b, 0) / u) : 0,
      unitCounts: this.n,
      unitSums: this.s1,
      unitSquares: this.s2,
    };
  }
}

/** The per-unit running sums and value hash (typed arrays, one entry per unit). */
interface UnitSums {
  readonly n: Float64Array;
  readonly s1: Float64Array;
  readonly s2: Float64Array;
  readonly s3: Float64Array;
  readonly s4: Float64Array;
  readonly nonzero: Float64Array;
  readonly h1: Int32Array;
  readonly bits: Float64Array;
  readonly words: Int32Array;
}

/** chunk[j], chunk[j + step], ... below `end`, all of unit `u`. */
function addUnit(t: UnitSums, chunk: Float64Array, w: Int32Array, u: number, start: number, end: number, step: number): void {
const { bits, words } = t;
  let a = t.h1[u] as number;
  let cn = t.n[u] as number;
  let nz = t.nonzero[u] as number;
  let t1 = t.s1[u] as number;
  let t2 = t.s2[u] as number;
  let t3 = t.s3[u] as number;
  let t4 = t.s4[u] as number;
  for (let j = start; j < end; j += step) {
    const x = chunk[j] as number;
    let lo = 0;
    let hi = 0;
    if (x - x === 0) {
      if (x !== 0) {
        lo = w[2 * j] as number;
        hi = w[2 * j + 1] as number;
      }
    } else {
      // NaN payloads: hashed as the original loop did, through a float64 store.
      bits[0] = x;
      lo = words[0] as number;
      hi = words[1] as number;
    }
    a = Math.imul(a ^ lo, 0x01000193) ^ hi;
    if (x - x !== 0) continue;
    const x2 = x * x;
    cn += 1;
    if (x !== 0) nz += 1;
    t1 += x;
    t2 += x2;
    t3 += x2 * x;
    t4 += x2 * x2;
  }
  t.h1[u] = a;
  t.n[u] = cn;
  t.nonzero[u] = nz;
  t.s1[u] = t1;
  t.s2[u] = t2;
  t.s3[u] = t3;
  t.s4[u] = t4;
}
