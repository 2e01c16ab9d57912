import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dequantizeChunk, runTensorPass } from '../../../src/core/analysis/tensorPass';
import { unitLayout } from '../../../src/core/stats/channelStats';

test('dequantize per tensor, per axis and blocked', () => {
  const q = Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(Array.from(dequantizeChunk({ scale: Float64Array.of(0.5), zeroPoint: Float64Array.of(2), axis: 0, blockSize: 0, dims: [8] }, q, 0)), [-1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5]);
  // [2, 4] per axis 0: rows scaled 1 and 10
  assert.deepEqual(Array.from(dequantizeChunk({ scale: Float64Array.of(1, 10), zeroPoint: undefined, axis: 0, blockSize: 0, dims: [2, 4] }, q, 0)), [0, 1, 2, 3, 40, 50, 60, 70]);
  // [2, 4] blocked along axis 1 with block 2: scales [2, 2] = [[1, 2], [3, 4]]
  const blocked = dequantizeChunk({ scale: Float64Array.of(1, 2, 3, 4), zeroPoint: undefined, axis: 1, blockSize: 2, dims: [2, 4] }, q, 0);
  assert.deepEqual(Array.from(blocked), [0, 1, 4, 6, 12, 15, 24, 28]);
  // Chunk offsets are honoured.
  assert.deepEqual(Array.from(dequantizeChunk({ scale: Float64Array.of(1, 2, 3, 4), zeroPoint: undefined, axis: 1, blockSize: 2, dims: [2, 4] }, q.subarray(4), 4)), [12, 15, 24, 28]);
});

test('units along the output axis: rows of [N,K], columns of [K,N], per direction for RNNs', () => {
  // [K=3, N=2] column units: column 1 all zero -> dead
  const kn = runTensorPass({ count: 6, chunks: () => [Float64Array.of(1, 0, 2, 0, 3, 0)], layout: unitLayout([3, 2], 1, 0), maxElements: null, histogram: true });
  assert.deepEqual(kn.channels?.dead, [1]);
  assert.equal(kn.channels?.count, 2);
  // [N=3, K=2] rows: rows 0 and 2 identical
  const nk = runTensorPass({ count: 6, chunks: () => [Float64Array.of(1, 2), Float64Array.of(3, 4), Float64Array.of(1, 2)], layout: unitLayout([3, 2], 0, 0), maxElements: null, histogram: false });
  assert.deepEqual(nk.channels?.identical, [[0, 2]]);
  // Same values in another order (same power sums) are not identical units.
  const perm = runTensorPass({ count: 9, chunks: () => [Float64Array.of(0.5, -1, 2, 2, 0.5, -1, 0.5, -1, 2)], layout: unitLayout([3, 3], 0, 0), maxElements: null, histogram: false });
  assert.deepEqual(perm.channels?.identical, [[0, 2]]);
  // [D=2, G·H=2, I=2] with one batch axis: 4 units
  assert.deepEqual(unitLayout([2, 2, 2], 1, 1), { units: 4, inner: 2, axisLen: 2, block: 4 });
  const h = kn.histogram;
  assert.equal(h?.counts.reduce((a, b) => a + b, 0), 6);
  assert.deepEqual([h?.min, h?.max], [0, 3]);
});

test('sampling takes a deterministic stride and flags it', () => {
  const values = Float64Array.from({ length: 1000 }, (_, i) => i);
  const r = runTensorPass({ count: 1000, chunks: () => [values.subarray(0, 333), values.subarray(333)], maxElements: 100, histogram: false });
  assert.equal(r.sampled, true);
  assert.equal(r.stats.count, 100);
  assert.equal(r.stats.min, 0);
  assert.equal(r.stats.max, 990);
  assert.equal(r.stats.mean, 495);
});
