import assert from 'node:assert/strict';
import { test } from 'node:test';
import { float16Bits } from '../../../src/core/onnx/writer/encodeValues';
import { EMPTY_MOMENTS, mergeMoments, momentsOf, stdOf } from '../../../src/core/probe/tensorMoments';
import { seededRandom } from '../../../src/core/probe/seededRandom';

function naive(values: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] as number;
  const mean = s / values.length;
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += ((values[i] as number) - mean) ** 2;
  return { mean, std: Math.sqrt(ss / values.length) };
}

test('two-pass moments equal a float64 reference; merged batches equal one pass', () => {
  const r = seededRandom(3);
  const all = new Float32Array(30_000);
  for (let i = 0; i < all.length; i++) all[i] = 5 + 0.001 * r.normal(); // large mean, tiny spread: the hard case
  const ref = naive(all);
  const whole = momentsOf(all);
  assert.equal(whole.count, all.length);
  assert.ok(Math.abs(whole.mean - ref.mean) < 1e-12);
  assert.ok(Math.abs((stdOf(whole) as number) / ref.std - 1) < 1e-9);
  const parts = [all.subarray(0, 7), all.subarray(7, 12_000), all.subarray(12_000)].map((p) => momentsOf(p));
  const merged = parts.reduce(mergeMoments, EMPTY_MOMENTS);
  assert.ok(Math.abs(merged.mean - ref.mean) < 1e-12);
  assert.ok(Math.abs((stdOf(merged) as number) / ref.std - 1) < 1e-9);
  assert.equal(merged.min, whole.min);
  assert.equal(merged.max, whole.max);
});

test('non-finite values are counted and left out of the moments', () => {
  const m = momentsOf(new Float32Array([1, NaN, 3, Infinity, -Infinity]));
  assert.equal(m.count, 2);
  assert.equal(m.nonFinite, 3);
  assert.equal(m.mean, 2);
  assert.equal(stdOf(m), 1);
  assert.equal(stdOf(momentsOf(new Float32Array([NaN]))), null);
});

test('float16 bit patterns are decoded exactly', () => {
  const bits = new Uint16Array([float16Bits(1), float16Bits(-2), float16Bits(0.5), float16Bits(65504), 0x7e00]);
  const m = momentsOf(bits, true);
  assert.equal(m.count, 4);
  assert.equal(m.nonFinite, 1);
  assert.equal(m.max, 65504);
  assert.equal(m.min, -2);
  assert.equal(m.mean, (1 - 2 + 0.5 + 65504) / 4);
});
