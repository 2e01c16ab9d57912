import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatsAccumulator, computeTensorStats, nonNanView } from '../../../src/core/index';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Naive two-pass reference with exact-ish summation (Neumaier) over the finite values. */
function reference(xs: number[]) {
  const fin = xs.filter((x) => Number.isFinite(x));
  const sum = (a: number[]) => {
    let s = 0;
    let c = 0;
    for (const x of a) {
      const t = s + x;
      c += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
      s = t;
    }
    return s + c;
  };
  const mean = sum(fin) / fin.length;
  const m2 = sum(fin.map((x) => (x - mean) ** 2)) / fin.length;
  const m4 = sum(fin.map((x) => (x - mean) ** 4)) / fin.length;
  return { mean, std: Math.sqrt(m2), kurt: m4 / (m2 * m2) - 3, min: Math.min(...fin), max: Math.max(...fin) };
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-300, Math.abs(b));

test('single-pass chunked statistics agree with a two-pass reference to ~1e-12', () => {
  const rnd = prng(42);
  // tol: the achievable relative accuracy of std, which grows with the condition number
  // |mean| / std (1e7 in the offset case: the data's own rounding noise is 1e-9 there).
  for (const [n, offset, scale, tol] of [[10, 0, 1, 1e-13], [100_000, 0, 0.02, 1e-12], [50_000, 1e4, 1e-3, 1e-9], [7, -3, 5, 1e-13]] as const) {
    const xs = Array.from({ length: n }, () => offset + scale * (rnd() + rnd() + rnd() - 1.5));
    const ref = reference(xs);
    for (const chunk of [n, 1000, 64]) {
      const acc = new StatsAccumulator();
      for (let i = 0; i < n; i += chunk) acc.add(Float64Array.from(xs.slice(i, i + chunk)));
      const s = acc.result();
      assert.equal(s.count, n);
      assert.ok(rel(s.mean, ref.mean) < 1e-12, `mean n=${n} chunk=${chunk}: ${s.mean} vs ${ref.mean}`);
      assert.ok(rel(s.std, ref.std) < tol, `std n=${n} chunk=${chunk}: ${s.std} vs ${ref.std}`);
      assert.ok(Math.abs(s.excessKurtosis - ref.kurt) < 100 * tol * Math.max(1, Math.abs(ref.kurt)), `kurtosis ${s.excessKurtosis} vs ${ref.kurt}`);
      assert.equal(s.min, ref.min);
      assert.equal(s.max, ref.max);
    }
  }
});

test('merge of disjoint accumulators equals one accumulator over everything', () => {
  const rnd = prng(7);
  const a = Float64Array.from({ length: 3000 }, () => rnd() * 10 - 2);
  const b = Float64Array.from({ length: 17 }, () => rnd() * 1e3);
  const whole = computeTensorStats([a, b]);
  const merged = new StatsAccumulator().add(a).merge(new StatsAccumulator().add(b)).result();
  for (const k of ['count', 'finiteCount', 'min', 'max', 'zeroCount'] as const) assert.equal(merged[k], whole[k]);
  assert.ok(rel(merged.mean, whole.mean) < 1e-14);
  assert.ok(rel(merged.std, whole.std) < 1e-12);
  assert.ok(rel(merged.excessKurtosis, whole.excessKurtosis) < 1e-10);
});

test('NaN / ±Inf / -0 are counted; moments over finite values; reference (non-NaN) view', () => {
  const xs = [NaN, Infinity, -Infinity, -0, 0, 2 ** -149, 3.4028234663852886e38, -2.5];
  const s = computeTensorStats([xs]);
  assert.equal(s.count, 8);
  assert.equal(s.finiteCount, 5);
  assert.equal(s.nanCount, 1);
  assert.equal(s.posInfCount, 1);
  assert.equal(s.negInfCount, 1);
  assert.equal(s.zeroCount, 2);
  assert.equal(s.min, -2.5);
  assert.equal(s.max, 3.4028234663852886e38);
  const v = nonNanView(s);
  assert.ok(Number.isNaN(v.mean as number));
  assert.ok(Number.isNaN(v.std as number));
  assert.equal(v.min, -Infinity);
  assert.equal(v.max, Infinity);
  assert.equal(v.zeroFraction, 0.25);
  assert.equal(v.infCount, 2);
  const onlyPos = nonNanView(computeTensorStats([[1, Infinity, NaN]]));
  assert.equal(onlyPos.mean, Infinity);
  assert.equal(onlyPos.min, 1);
  const allInf = nonNanView(computeTensorStats([[Infinity, Infinity]]));
  assert.equal(allInf.min, Infinity);
  const empty = computeTensorStats([]);
  assert.equal(empty.count, 0);
  assert.ok(Number.isNaN(empty.mean));
  assert.deepEqual(nonNanView(empty), { count: 0, nanCount: 0, infCount: 0, zeroFraction: null, mean: null, std: null, min: null, max: null });
  const constant = computeTensorStats([[0.05, 0.05, 0.05]]);
  // numpy gives the same non-zero std (6.9e-18) here: the float64 mean of three 0.05 is not 0.05.
  assert.equal(constant.min, constant.max);
  assert.ok(constant.std < 1e-16);
  assert.ok(Number.isNaN(computeTensorStats([[2, 2, 2, 2]]).excessKurtosis));
});
