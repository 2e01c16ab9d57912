// Numerically hostile weights: all-equal huge values (catastrophic cancellation), ±FLT_MAX (sums
// that overflow float32 but not float64), subnormal-only tensors, DOUBLE values near DBL_MAX
// (where float64 itself overflows), int64 extremes, NaN / Inf everywhere. The statistics must
// agree with numpy's float64 two-pass results where those are finite, std is never negative or
// NaN for finite data, and every format stays valid (no NaN / Infinity in JSON).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType } from '../../../src/core/onnx/model';
import type { TensorSpec } from '../../../src/core/onnx/writer/modelSpec';
import { f32, graph, model, sweep, tempDir, writeModelFile } from './harness';

interface Stats {
  readonly count: number;
  readonly mean: number | null;
  readonly std: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly nanCount: number;
  readonly infCount: number;
  readonly excessKurtosis: number | null;
}

/** numpy's float64 mean and population std (pairwise vs sequential sums differ far below 1e-9 here). */
function numpyStats(values: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] as number;
  const mean = s / values.length;
  let q = 0;
  for (let i = 0; i < values.length; i++) q += ((values[i] as number) - mean) ** 2;
  return { mean, std: Math.sqrt(q / values.length) };
}

const close = (a: number, b: number, rel = 1e-9): boolean => a === b || Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b));

async function statsOf(tensor: TensorSpec, what: string): Promise<Stats> {
  const t = tempDir();
  try {
    const path = writeModelFile(t.dir, model(graph([{ opType: 'MatMul', inputs: ['x', tensor.name as string], outputs: ['y'] }], [tensor])));
    const r = await sweep(path, what);
    for (const [format, run] of Object.entries(r.analyze)) assert.notEqual(run.code, 2, `${format}: ${run.stderr}`);
    const layers = (r.report?.layers ?? []) as { weight: string; stats: Stats | null }[];
    const tensors = (r.report?.tensors ?? []) as { name: string; stats: Stats | null }[];
    const stats = layers.find((l) => l.weight === tensor.name)?.stats ?? tensors.find((x) => x.name === tensor.name)?.stats;
    assert.ok(stats, `${what}: stats reported`);
    return stats;
  } finally {
    t.done();
  }
}

const float = (name: string, values: ArrayLike<number>, dims = [4, values.length / 4]): TensorSpec => ({ name, dataType: DataType.FLOAT, dims, raw: f32(values) });
const double = (name: string, values: ArrayLike<number>, dims = [4, values.length / 4]): TensorSpec => ({ name, dataType: DataType.DOUBLE, dims, raw: new Uint8Array(Float64Array.from(values).buffer) });

test('all-equal huge float32 values: std is exactly 0, mean exact', { timeout: 180_000 }, async () => {
  for (const v of [Math.fround(3.0e38), Math.fround(-3.4e38), Math.fround(0.1), Math.fround(1e30)]) {
    const values = new Float32Array(1 << 16).fill(v);
    const s = await statsOf(float('W', values), `all ${v}`);
    assert.equal(s.mean, v, `mean of all ${v}`);
    assert.equal(s.std, 0, `std of all ${v} must be 0, got ${s.std}`);
    assert.equal(s.min, v);
    assert.equal(s.max, v);
  }
});

test('±FLT_MAX alternating and mixed with small values: finite float64 mean / std like numpy', { timeout: 180_000 }, async () => {
  const fmax = 3.4028234663852886e38;
  const alt = Float32Array.from({ length: 4096 }, (_, i) => (i % 2 === 0 ? fmax : -fmax));
  const a = await statsOf(float('W', alt), 'alternating FLT_MAX');
  assert.equal(a.mean, 0);
  assert.ok(a.std !== null && close(a.std, fmax), `std ${a.std}`);
  const mixed = Float32Array.from({ length: 4096 }, (_, i) => (i < 2048 ? fmax : Math.fround(Math.sin(i))));
  const ref = numpyStats(mixed);
  const m = await statsOf(float('W', mixed), 'half FLT_MAX');
  assert.ok(m.mean !== null && close(m.mean, ref.mean), `mean ${m.mean} vs ${ref.mean}`);
  assert.ok(m.std !== null && close(m.std, ref.std), `std ${m.std} vs ${ref.std}`);
  assert.ok(m.excessKurtosis === null || Number.isFinite(m.excessKurtosis));
});

test('subnormal-only tensor: exact tiny mean / std, no zeros', { timeout: 180_000 }, async () => {
  const values = Float32Array.from({ length: 4096 }, (_, i) => (i % 7 + 1) * 1.401298464324817e-45 * (i % 2 === 0 ? 1 : -1));
  assert.ok(values.every((x) => x !== 0 && Math.abs(x) < 1.1754943508222875e-38));
  const ref = numpyStats(values);
  const s = await statsOf(float('W', values), 'subnormals');
  assert.ok(s.mean !== null && close(s.mean, ref.mean, 1e-6), `mean ${s.mean} vs ${ref.mean}`);
  assert.ok(s.std !== null && s.std > 0 && close(s.std, ref.std), `std ${s.std} vs ${ref.std}`);
});

test('DOUBLE near DBL_MAX: valid report whether or not float64 overflows', { timeout: 180_000 }, async () => {
  const big = 1.7e308;
  const same = await statsOf(double('W', new Float64Array(64).fill(big)), 'all 1.7e308');
  // numpy: mean overflows to inf for this input (sum of 64 × 1.7e308); the report must still be
  // valid JSON, with the std never negative and, when a mean is given, the true one.
  assert.ok(same.mean === null || close(same.mean, big), `mean ${same.mean}`);
  assert.ok(same.std === null || same.std === 0, `std ${same.std}`);
  const alt = await statsOf(double('W', Float64Array.from({ length: 64 }, (_, i) => (i % 2 === 0 ? big : -big))), '±1.7e308');
  assert.ok(alt.mean === null || alt.mean === 0, `mean ${alt.mean}`);
  assert.ok(alt.std === null || close(alt.std, big), `std ${alt.std}`);
});

test('int64 extremes and NaN / Inf weights keep the report valid', { timeout: 180_000 }, async () => {
  const ints: TensorSpec = { name: 'W', dataType: DataType.INT64, dims: [4, 2], raw: new Uint8Array(BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n, 0n, 1n, -1n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 7n]).buffer) };
  const s = await statsOf(ints, 'int64 extremes');
  assert.equal(s.count, 8);
  assert.equal(s.min, -(2 ** 63));
  assert.equal(s.max, 2 ** 63);
  const bad = Float32Array.from({ length: 64 }, (_, i) => (i % 3 === 0 ? Number.NaN : i % 3 === 1 ? Infinity : -Infinity));
  const n = await statsOf(float('W', bad), 'all non-finite');
  assert.equal(n.nanCount + n.infCount, 64);
  assert.equal(n.mean, null);
  assert.equal(n.std, null);
});
