import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../../../src/core/probe/seededRandom';

test('the same seed gives the same stream, other seeds another', () => {
  const draw = (seed: number) => { const r = seededRandom(seed); return Array.from({ length: 64 }, () => r.normal()); };
  assert.deepEqual(draw(7), draw(7));
  assert.notDeepEqual(draw(7), draw(8));
  assert.notDeepEqual(draw(0), draw(2 ** 32)); // high bits of a large seed matter
});

test('normal() is N(0,1): moments over 400k draws', () => {
  const r = seededRandom(42);
  const n = 400_000;
  let s = 0;
  let s2 = 0;
  let s4 = 0;
  for (let i = 0; i < n; i++) {
    const x = r.normal();
    s += x;
    s2 += x * x;
    s4 += x ** 4;
  }
  const mean = s / n;
  const variance = s2 / n - mean * mean;
  // Standard errors: mean 1/√n ≈ 0.0016, variance √(2/n) ≈ 0.0022, E[x⁴] √(96/n) ≈ 0.015.
  assert.ok(Math.abs(mean) < 0.006, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.008, `variance ${variance}`);
  assert.ok(Math.abs(s4 / n - 3) < 0.06, `fourth moment ${s4 / n}`);
});

test('uniform() in [0,1) and int(n) in [0,n) cover the range evenly', () => {
  const r = seededRandom(1);
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < 100_000; i++) {
    const u = r.uniform();
    assert.ok(u >= 0 && u < 1);
    const k = r.int(10);
    counts[k] = (counts[k] as number) + 1;
  }
  for (const c of counts) assert.ok(Math.abs(c - 10_000) < 500, `bucket ${c}`);
});
