import { float16Table } from '../onnx/floatTables';

/**
 * Moments of one probed tensor over one or more batches. Within a batch the values are in
 * memory, so mean and variance use an exact two-pass float64 sum; batches are merged with Chan
 * et al.'s pairwise update, which keeps the pooled result equal to a single pass over all values.
 */
export interface Moments {
  /** Number of finite values. */
  readonly count: number;
  readonly nonFinite: number;
  readonly mean: number;
  /** Sum of squared deviations from the mean (population variance = m2 / count). */
  readonly m2: number;
  readonly min: number;
  readonly max: number;
}

export const EMPTY_MOMENTS: Moments = { count: 0, nonFinite: 0, mean: 0, m2: 0, min: Infinity, max: -Infinity };

/** Values as ORT hands them back: float16 arrives as Uint16Array bit patterns. */
export type ProbeValues = Float32Array | Float64Array | Uint16Array | Int32Array | Int8Array | Uint8Array;

/** Two-pass float64 moments of one tensor's values; `float16` says a Uint16Array holds binary16 bits. */
export function momentsOf(values: ProbeValues, float16 = false): Moments {
  if (float16) {
    const table = float16Table();
    const decoded = new Float32Array(values.length); // binary16 values are exact in float32
    for (let i = 0; i < values.length; i++) decoded[i] = table[values[i] as number] as number;
    return floatMoments(decoded);
  }
  return floatMoments(values);
}

// One plain loop per pass over the typed array (no per-element closure: this runs over every
// activation of every batch). `v - v === 0` is the finiteness test without a call.
function floatMoments(values: ArrayLike<number>): Moments {
  const n = values.length;
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (v - v !== 0) continue;
    count++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const nonFinite = n - count;
  if (count === 0) return { ...EMPTY_MOMENTS, nonFinite };
  const mean = sum / count;
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (v - v !== 0) continue;
    const d = v - mean;
    m2 += d * d;
  }
  return { count, nonFinite, mean, m2, min, max };
}

/** Pools two sets of moments as if computed over the concatenated values. */
export function mergeMoments(a: Moments, b: Moments): Moments {
  if (a.count === 0) return { ...b, nonFinite: a.nonFinite + b.nonFinite };
  if (b.count === 0) return { ...a, nonFinite: a.nonFinite + b.nonFinite };
  const count = a.count + b.count;
  const delta = b.mean - a.mean;
  return {
    count,
    nonFinite: a.nonFinite + b.nonFinite,
    mean: a.mean + (delta * b.count) / count,
    m2: a.m2 + b.m2 + (delta * delta * a.count * b.count) / count,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
  };
}

/** Population standard deviation (ddof = 0), null when there are no finite values. */
export function stdOf(m: Moments): number | null {
  return m.count === 0 ? null : Math.sqrt(m.m2 / m.count);
}
