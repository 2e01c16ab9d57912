// The optimized statistics kernels must give bit-identical results to the plain per-element
// loops they replaced (kept here as the reference), for any layout, chunking and special value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChannelAccumulator, unitLayout, type UnitLayout } from '../../../src/core/stats/channelStats';
import { HistogramAccumulator } from '../../../src/core/stats/histogram';
import { StatsAccumulator } from '../../../src/core/stats/tensorStats';
import { Rng } from '../../support/modelBuilders';
import { bytesSource, NO_EXTERNAL_DATA } from '../../../src/core/host';
import { DataType } from '../../../src/core/onnx/model';
import { parseModel } from '../../../src/core/onnx/parseModel';
import { tensorValueChunks } from '../../../src/core/onnx/tensorValues';
import { encodeModel } from '../../../src/core/onnx/writer/writeModel';

/** The per-element loop of ChannelAccumulator.add before the optimization (reference). */
class ReferenceChannels {
  readonly n: Float64Array; readonly s1: Float64Array; readonly s2: Float64Array; readonly s3: Float64Array; readonly s4: Float64Array;
  readonly nonzero: Float64Array; readonly h1: Int32Array;
  private readonly bits = new Float64Array(1);
  private readonly words = new Int32Array(this.bits.buffer);
  constructor(private readonly layout: UnitLayout) {
    const u = layout.units;
    [this.n, this.s1, this.s2, this.s3, this.s4, this.nonzero] = [0, 0, 0, 0, 0, 0].map(() => new Float64Array(u)) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
    this.h1 = new Int32Array(u).fill(0x811c9dc5 | 0);
  }
  add(chunk: Float64Array, offset: number): void {
    const { inner, axisLen, block } = this.layout;
    const { words, bits } = this;
    for (let j = 0; j < chunk.length; j++) {
      const i = offset + j;
      const u = Math.floor(i / block) * axisLen + (Math.floor(i / inner) % axisLen);
      const x = chunk[j]!;
      bits[0] = x === 0 ? 0 : x;
      this.h1[u] = Math.imul(this.h1[u]! ^ words[0]!, 0x01000193) ^ words[1]!;
      if (x - x !== 0) continue;
      const x2 = x * x;
      this.n[u]! += 1;
      if (x !== 0) this.nonzero[u]! += 1;
      this.s1[u]! += x;
      this.s2[u]! += x2;
      this.s3[u]! += x2 * x;
      this.s4[u]! += x2 * x2;
    }
  }
}

function values(n: number, rng: Rng): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = rng.uniform();
    v[i] = r < 0.05 ? 0 : r < 0.07 ? -0 : r < 0.08 ? NaN : r < 0.085 ? Infinity : r < 0.09 ? -Infinity : Math.fround(rng.normal() * 0.1);
  }
  return v;
}

test('ChannelAccumulator.add is bit-identical to the per-element reference', () => {
  const rng = new Rng(11);
  const cases: [number[], number, number][] = [
    [[7, 13], 0, 0], [[7, 13], 1, 0], [[4, 3, 5, 2], 0, 0], [[4, 3, 5, 2], 1, 0], [[4, 3, 5, 2], 1, 1], [[2, 3, 4], 2, 2], [[5], 0, 0], [[3, 1, 4], 1, 0], [[64, 1, 3, 3], 0, 0], [[3, 6, 4], 2, 1], [[2, 5, 3], 2, 1], [[50, 8], 1, 0], [[4, 7, 5], 2, 0],
  ];
  for (const [dims, axis, batch] of cases) {
    const layout = unitLayout(dims, axis, batch)!;
    const total = dims.reduce((a, b) => a * b, 1);
    const data = values(total, rng);
    // Identical units on purpose, so the hashes must agree for `identical` to match.
    if (layout.inner === 1 && layout.axisLen > 2) for (let i = 0; i < total; i += layout.axisLen) data[i + 1] = data[i]!;
    for (const chunkSize of [1, 3, 7, 37, 64, 100, total]) {
      const fast = new ChannelAccumulator(layout);
      const ref = new ReferenceChannels(layout);
      for (let off = 0; off < total; off += chunkSize) {
        const c = data.slice(off, Math.min(total, off + chunkSize));
        fast.add(c, off);
        ref.add(c, off);
      }
      const f = fast as unknown as ReferenceChannels;
      const label = `dims ${dims} axis ${axis} batch ${batch} chunk ${chunkSize}`;
      for (const k of ['n', 's1', 's2', 's3', 's4', 'nonzero', 'h1'] as const) assert.deepEqual(Array.from(f[k]), Array.from(ref[k]), `${label}: ${k}`);
    }
  }
});

test('ChannelAccumulator.add accepts subarray chunks (non-zero byteOffset)', () => {
  const layout = unitLayout([6, 5], 1, 0)!;
  const data = values(40, new Rng(3));
  const fast = new ChannelAccumulator(layout);
  const ref = new ReferenceChannels(layout);
  fast.add(data.subarray(10, 40), 0);
  ref.add(data.slice(10, 40), 0);
  assert.deepEqual(fast.result(), (() => { const a = new ChannelAccumulator(layout); a.add(data.slice(10, 40), 0); return a.result(); })());
  assert.deepEqual(Array.from((fast as unknown as ReferenceChannels).s2), Array.from(ref.s2));
});

/** One-pass histogram of `chunks`, fed the way runTensorPass feeds it (chunk min / max from the statistics). */
function onePass(chunks: Float64Array[], expectedCount?: number): { counts: readonly number[]; min: number; max: number } {
  const h = new HistogramAccumulator(expectedCount);
  const stats = new StatsAccumulator();
  for (const c of chunks) {
    stats.add(c);
    h.add(c, stats.chunkMin, stats.chunkMax, stats.chunkAllFinite);
  }
  const r = stats.result();
  return { ...h.result(r.min, r.max), min: r.min, max: r.max };
}

test('HistogramAccumulator (one pass): exact counts; a value moves to a neighbouring bin only within 1/16 bin of its edge', () => {
  const rng = new Rng(9);
  const normal = (n: number, mean: number, std: number) => Float64Array.from({ length: n }, () => mean + std * rng.normal());
  const cases: [string, Float64Array[]][] = [
    ['one chunk', [normal(5000, 0, 0.02)]],
    ['narrow first chunk, then wider on both sides', [normal(300, 0, 1e-3), normal(3000, 0.5, 1), normal(2000, -3, 0.5)]],
    ['all-zero first chunk (a dead row), then values', [new Float64Array(700), normal(4000, 0, 0.1)]],
    ['a tiny first chunk, then a range 10^9 times wider', [normal(100, 0, 1e-9), normal(3000, 0, 1)]],
    ['1e-30, then 1e300 (rescaled mid-tensor), then 1e-310', [normal(100, 0, 1e-30), normal(1000, 0, 1e300), normal(50, 0, 1e-310)]],
    ['uniform with special values', [Float64Array.from(values(6000, rng), (x) => (Number.isFinite(x) ? Math.abs(x) * 7 - 2 : x))]],
    ['subnormals', [Float64Array.from({ length: 1000 }, (_, i) => (i % 7) * 5e-324), Float64Array.from({ length: 100 }, (_, i) => i * 1e-320)]],
  ];
  for (const [label, chunks] of cases) {
    for (const size of [1, 97, 4096, 1e9]) {
      const rechunked: Float64Array[] = [];
      for (const c of chunks) for (let o = 0; o < c.length; o += size) rechunked.push(c.slice(o, o + size));
      const { counts, min, max } = onePass(rechunked);
      const bins = counts.length;
      const all = chunks.flatMap((c) => Array.from(c)).filter((x) => Number.isFinite(x));
      assert.equal(counts.reduce((a, b) => a + b, 0), all.length, `${label} / ${size}: every finite value counted once`);
      const width = (max - min) / bins;
      const exact = new Array<number>(bins).fill(0);
      const nearEdge = new Array<number>(bins + 1).fill(0);
      for (const x of all) {
        exact[Math.min(bins - 1, Math.max(0, Math.floor((x - min) / width)))]! += 1;
        const e = Math.round((x - min) / width);
        if (Math.abs(x - (min + e * width)) <= width / 16) nearEdge[e]! += 1;
      }
      for (let k = 0; k < bins; k++) {
        const slack = nearEdge[k]! + nearEdge[k + 1]!;
        assert.ok(Math.abs(counts[k]! - exact[k]!) <= slack, `${label} / ${size}: bin ${k} has ${counts[k]}, exactly ${exact[k]}, ${slack} values near its edges`);
      }
    }
  }
});

test('HistogramAccumulator: a tensor announced as small is binned exactly; one larger than announced falls back to fine bins', () => {
  const rng = new Rng(5);
  const data = Float64Array.from(values(4000, rng), (x) => (Number.isFinite(x) ? x * 3 + 1 : x));
  const chunks = [data.subarray(0, 1000), data.subarray(1000, 1001), data.subarray(1001)];
  const { counts, min, max } = onePass(chunks, data.length);
  const exact = new Array<number>(64).fill(0);
  const width = (max - min) / 64;
  for (const x of data) if (Number.isFinite(x)) exact[Math.min(63, Math.max(0, Math.floor((x - min) / width)))]! += 1;
  assert.deepEqual(counts, exact);
  const spilled = onePass(chunks, 1500);
  assert.equal(spilled.counts.reduce((a, b) => a + b, 0), exact.reduce((a, b) => a + b, 0));
  assert.ok(spilled.counts.every((c, k) => Math.abs(c - exact[k]!) <= 0.01 * exact.reduce((a, b) => a + b, 0)));
  const huge = onePass([Float64Array.of(-1.7976931348623157e308, -1e308, 0, 1e308, 1.7976931348623157e308, NaN)], 6);
  assert.deepEqual(Object.entries(huge.counts).filter(([, c]) => c > 0), [['0', 1], ['14', 1], ['32', 1], ['49', 1], ['63', 1]]);
  assert.deepEqual(onePass([Float64Array.of(2, 2, 2)], 3).counts, [3]);
});

test('HistogramAccumulator: a constant tensor is one bin; ±1e308 (max − min overflows) keeps every finite value', () => {
  assert.deepEqual(onePass([Float64Array.of(0.5, 0.5), Float64Array.of(0.5)]).counts, [3]);
  const wide = onePass([Float64Array.from([-1e308, 0, 1e308, NaN]), Float64Array.of(1.7976931348623157e308, -1.7976931348623157e308)]);
  assert.equal(wide.counts.reduce((a, b) => a + b, 0), 5);
  // Bins of width 2·DBL_MAX/64 over [−DBL_MAX, DBL_MAX]: −1e308 is in bin 14, 1e308 in bin 49.
  assert.deepEqual(Object.entries(wide.counts).filter(([, c]) => c > 0), [['0', 1], ['14', 1], ['32', 1], ['49', 1], ['63', 1]]);
  assert.deepEqual(onePass([Float64Array.of(NaN, Infinity)]).counts, [0]);
});

test('StatsAccumulator: the all-finite fast path equals the checked loop bit for bit', () => {
  const rng = new Rng(21);
  for (const [scale, offset, zeroRate] of [[0.02, 0, 0], [1, 1e6, 0.3], [1e-30, 0, 0.9], [3, -7, 0.01]] as const) {
    const fast = new StatsAccumulator();
    const checked = new StatsAccumulator();
    for (const n of [1, 2, 1000, 65536, 777]) {
      const c = new Float64Array(n);
      for (let i = 0; i < n; i++) c[i] = rng.uniform() < zeroRate ? (i % 2 ? 0 : -0) : offset + scale * rng.normal();
      fast.add(c);
      // A trailing NaN sends the chunk through the checked loop; the finite values are the same.
      const withNan = new Float64Array(n + 1);
      withNan.set(c);
      withNan[n] = NaN;
      checked.add(withNan);
    }
    const a = fast.result();
    const b = checked.result();
    assert.deepEqual({ ...a, count: 0, nanCount: 0 }, { ...b, count: 0, nanCount: 0 }, `scale ${scale} offset ${offset}`);
    assert.equal(b.nanCount, 5);
    assert.equal(a.count + 5, b.count);
  }
  // Overflowing |x| sums fall back to the checked loop, which records them as before.
  const big = new StatsAccumulator().add([1e308, 1e308, -1e308]).result();
  assert.equal(big.finiteCount, 3);
  assert.equal(big.nanCount, 0);
});

test('tensorValueChunks reuseBuffer: same values, one buffer for raw and external data', () => {
  const values = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i));
  const bytes = encodeModel({ irVersion: 8, opsetImports: [{ domain: '', version: 17 }], graph: { name: 'g', nodes: [], inputs: [], outputs: [], initializers: [{ name: 'w', dataType: DataType.FLOAT, dims: [1000], values }] } });
  const ctx = { model: bytesSource(bytes), external: NO_EXTERNAL_DATA };
  const t = parseModel(ctx.model).graph.initializers[0]!;
  const plain = [...tensorValueChunks(t, ctx, { chunkElements: 300 })].map((c) => Array.from(c));
  const seen = new Set<ArrayBufferLike>();
  const reused: number[][] = [];
  for (const c of tensorValueChunks(t, ctx, { chunkElements: 300, reuseBuffer: true })) {
    seen.add(c.buffer);
    reused.push(Array.from(c));
  }
  assert.deepEqual(reused, plain);
  assert.deepEqual(plain.map((c) => c.length), [300, 300, 300, 100]);
  assert.equal(seen.size, 1);
});
