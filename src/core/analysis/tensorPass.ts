import { StatsAccumulator, type TensorStats } from '../stats/tensorStats';
import { ChannelAccumulator, type ChannelSummary, type UnitLayout } from '../stats/channelStats';
import { HistogramAccumulator } from '../stats/histogram';
import type { Histogram } from '../report/reportModel';
import type { TensorRef } from '../onnx/model';

/** Dequantization y = (x − zero_point)·scale, per tensor, per axis or blocked. */
export interface Dequantizer {
  readonly scale: Float64Array;
  readonly zeroPoint: Float64Array | undefined;
  readonly axis: number;
  readonly blockSize: number;
  readonly dims: readonly number[];
}

export interface TensorPassInput {
  readonly count: number;
  /** An iterator over the stored values (called once: the tensor is read in one pass). */
  readonly chunks: () => Iterable<Float64Array>;
  readonly dequant?: Dequantizer;
  readonly layout?: UnitLayout;
  /** Flattened matrix for the orthogonality check, when small enough. */
  readonly matrix?: { readonly rows: number; readonly cols: number };
  /** User-set element limit (null = exact). */
  readonly maxElements: number | null;
  readonly histogram: boolean;
  /** Called with the number of stored elements processed by each chunk of the first pass. */
  readonly onElements?: (n: number) => void;
}

export interface OrthogonalityCheck {
  /** Gain estimate: √(mean of the Gram diagonal). */
  readonly gain: number;
  /** max |G − g²I| / g² over the smaller Gram matrix. */
  readonly deviation: number;
}

export interface TensorPassResult {
  readonly stats: TensorStats;
  /** Stats of the stored values when they were dequantized (else undefined). */
  readonly storedStats: TensorStats | undefined;
  readonly channels: ChannelSummary | null;
  readonly histogram: Histogram | null;
  readonly orthogonality: OrthogonalityCheck | null;
  readonly sampled: boolean;
}

/** One tensor's pass as plain data, for runners that execute passes elsewhere (worker threads). */
export interface TensorPassJob {
  readonly tensor: TensorRef;
  /** For sparse tensors: the dense element count (the stored values are followed by zeros). */
  readonly denseCount?: number;
  /** Everything of the pass input but the value source and the progress callback. */
  readonly input: Omit<TensorPassInput, 'chunks' | 'onElements'>;
}

export type TensorPassOutcome = { readonly ok: true; readonly result: TensorPassResult } | { readonly ok: false; readonly error: Error };

/**
 * Runs many passes at once (src/node/parallelStats.ts runs them on worker threads). Returns the
 * outcomes in job order, or undefined to let the analysis run them in-process (e.g. too small to
 * be worth threads). `onElements` reports stored elements done and may throw to cancel;
 * `onOutcome` (optional to call) hands over each job's outcome as soon as it is known.
 */
export type TensorPassRunner = (
  jobs: readonly TensorPassJob[],
  onElements: (n: number) => void,
  onOutcome?: (index: number, outcome: TensorPassOutcome) => void,
) => readonly TensorPassOutcome[] | undefined;

/** Work limit of the orthogonality check (multiply-adds of the Gram matrix). */
const ORTHO_MAX_WORK = 1.5e8;
const ORTHO_MAX_SIDE = 512;

/** Dequantizes one chunk of stored values starting at flat index `offset`. */
export function dequantizeChunk(dq: Dequantizer, chunk: Float64Array, offset: number): Float64Array {
  const out = new Float64Array(chunk.length);
  const { scale, zeroPoint, axis, blockSize, dims } = dq;
  if (scale.length === 1) {
    const s = scale[0] as number;
    const z = zeroPoint?.[0] ?? 0;
    for (let j = 0; j < chunk.length; j++) out[j] = ((chunk[j] as number) - z) * s;
    return out;
  }
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const d = dims[axis] ?? 1;
  const nb = blockSize > 0 ? Math.ceil(d / blockSize) : d;
  for (let j = 0; j < chunk.length; j++) {
    const i = offset + j;
    const c = Math.floor(i / inner) % d;
    let k: number;
    if (blockSize > 0) k = Math.floor(i / (d * inner)) * nb * inner + Math.floor(c / blockSize) * inner + (i % inner);
    else k = c;
    out[j] = ((chunk[j] as number) - (zeroPoint?.[k] ?? 0)) * (scale[k] ?? NaN);
  }
  return out;
}

/**
 * Reads one tensor once: statistics, per-unit statistics, the histogram and (when small enough)
 * the values kept for the orthogonality check. With a user-set element limit a deterministic
 * stride sample is used.
 */
export function runTensorPass(input: TensorPassInput): TensorPassResult {
  const stride = input.maxElements !== null && input.count > input.maxElements ? Math.ceil(input.count / Math.max(1, input.maxElements)) : 1;
  const hist = input.histogram ? new HistogramAccumulator(stride === 1 ? input.count : Math.ceil(input.count / stride)) : undefined;
  const stats = new StatsAccumulator();
  const stored = input.dequant !== undefined ? new StatsAccumulator() : undefined;
  const channels = input.layout !== undefined && input.layout.units > 0 ? new ChannelAccumulator(input.layout) : undefined;
  const m = input.matrix;
  const keep = m !== undefined && stride === 1 && orthoWork(m.rows, m.cols) <= ORTHO_MAX_WORK ? new Float64Array(m.rows * m.cols) : undefined;
  let offset = 0;
  for (const raw of input.chunks()) {
    const chunk = stride === 1 ? raw : sample(raw, offset, stride);
    stored?.add(chunk);
    const values = input.dequant !== undefined ? dequantizeChunk(input.dequant, chunk, offset) : chunk;
    stats.add(values);
    // Binned while the chunk is in cache (in a loop of its own: fused into the moments loop, V8
    // optimized the whole 2.5× slower).
    hist?.add(values, stats.chunkMin, stats.chunkMax, stats.chunkAllFinite);
    if (channels !== undefined) {
      if (stride === 1) channels.add(values, offset);
      else for (let j = 0; j < values.length; j++) channels.add(values.subarray(j, j + 1), offset + firstSampled(offset, stride) + j * stride);
    }
    if (keep !== undefined && offset + values.length <= keep.length) keep.set(values, offset);
    input.onElements?.(raw.length);
    offset += raw.length;
  }
  const result = stats.result();
  const histogram: Histogram | null = hist !== undefined && result.finiteCount > 0 ? hist.result(result.min, result.max) : null;
  return {
    stats: result,
    storedStats: stored?.result(),
    channels: channels?.result() ?? null,
    histogram,
    orthogonality: keep !== undefined && m !== undefined && offset === keep.length ? orthogonality(keep, m.rows, m.cols) : null,
    sampled: stride > 1,
  };
}

function firstSampled(offset: number, stride: number): number {
  return (stride - (offset % stride)) % stride;
}

function sample(chunk: Float64Array, offset: number, stride: number): Float64Array {
  const first = firstSampled(offset, stride);
  const n = first < chunk.length ? Math.floor((chunk.length - 1 - first) / stride) + 1 : 0;
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = chunk[first + k * stride] as number;
  return out;
}

function orthoWork(rows: number, cols: number): number {
  const s = Math.min(rows, cols);
  return s > ORTHO_MAX_SIDE || s < 2 ? Infinity : (s * s * Math.max(rows, cols)) / 2;
}

/** Gram matrix of the smaller side of a row-major [rows, cols] matrix, against g²·I. */
export function orthogonality(w: Float64Array, rows: number, cols: number): OrthogonalityCheck {
  const byRows = rows <= cols;
  const s = byRows ? rows : cols;
  const len = byRows ? cols : rows;
  const vec = (a: number, t: number): number => (byRows ? (w[a * cols + t] as number) : (w[t * cols + a] as number));
  const vecs: Float64Array[] = [];
  for (let a = 0; a < s; a++) {
    const v = new Float64Array(len);
    for (let t = 0; t < len; t++) v[t] = vec(a, t);
    vecs.push(v);
  }
  // Cheap screen on the first few vectors: random matrices fail it at once, so the full Gram
  // (the expensive part) runs only for candidates that look orthogonal.
  const probe = Math.min(s, 8);
  const dot = (x: Float64Array, y: Float64Array): number => { let d = 0; for (let t = 0; t < len; t++) d += (x[t] as number) * (y[t] as number); return d; };
  const n0 = dot(vecs[0] as Float64Array, vecs[0] as Float64Array);
  for (let a = 0; a < probe; a++) {
    for (let b = a; b < probe; b++) {
      const d = dot(vecs[a] as Float64Array, vecs[b] as Float64Array);
      if (Math.abs(d - (a === b ? n0 : 0)) > 5e-3 * n0) return { gain: Math.sqrt(n0), deviation: Math.abs(d - (a === b ? n0 : 0)) / Math.max(n0, 1e-300) };
    }
  }
  const gram = new Float64Array(s * s);
  let diag = 0;
  for (let a = 0; a < s; a++) {
    const va = vecs[a] as Float64Array;
    for (let b = a; b < s; b++) {
      const vb = vecs[b] as Float64Array;
      let dot = 0;
      for (let t = 0; t < len; t++) dot += (va[t] as number) * (vb[t] as number);
      gram[a * s + b] = dot;
    }
    diag += gram[a * s + a] as number;
  }
  const g2 = diag / s;
  if (!(g2 > 0)) return { gain: 0, deviation: Infinity };
  let dev = 0;
  for (let a = 0; a < s; a++) for (let b = a; b < s; b++) dev = Math.max(dev, Math.abs((gram[a * s + b] as number) - (a === b ? g2 : 0)));
  return { gain: Math.sqrt(g2), deviation: dev / g2 };
}
