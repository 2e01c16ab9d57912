import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { buildCnn, buildMlp, exactStats, orthogonalValues, Rng, truncatedNormalValues } from '../../support/modelBuilders';

test('builders are deterministic per seed', () => {
  assert.deepEqual(buildMlp({ sizes: [4, 3], seed: 7 }).bytes, buildMlp({ sizes: [4, 3], seed: 7 }).bytes);
  assert.notDeepEqual(buildMlp({ sizes: [4, 3], seed: 7 }).bytes, buildMlp({ sizes: [4, 3], seed: 8 }).bytes);
});

test('drawn weights have the requested std (within sampling error)', () => {
  const m = buildMlp({ sizes: [512, 256, 10], init: [0.05, { kind: 'uniform', limit: 0.3 }] });
  const [w0, , w1] = m.tensors;
  // n = 131072 and 2560 samples: 3 standard errors of a std estimate ≈ 3·std/√(2n).
  assert.ok(Math.abs(w0!.stats.std - 0.05) < (3 * 0.05) / Math.sqrt(2 * 131072), `std ${w0!.stats.std}`);
  assert.ok(Math.abs(w1!.stats.std - 0.3 / Math.sqrt(3)) < 0.01, `std ${w1!.stats.std}`);
  assert.ok(Math.abs(w0!.stats.mean) < 0.001);
  const t = exactStats(truncatedNormalValues(100000, 1, new Rng(3)));
  assert.ok(t.min >= -2 && t.max <= 2);
  assert.ok(Math.abs(t.std - 0.8796) < 0.01, `truncated std ${t.std}`);
});

test('orthogonal init has orthonormal rows', () => {
  const q = orthogonalValues(4, 6, new Rng(1), 2);
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      let d = 0;
      for (let k = 0; k < 6; k++) d += q[i * 6 + k]! * q[j * 6 + k]!;
      assert.ok(Math.abs(d - (i === j ? 4 : 0)) < 1e-5);
    }
  }
});

test('built MLPs (Gemm and MatMul) run in onnxruntime and compute what their weights say', async () => {
  for (const style of ['gemm', 'matmul'] as const) {
    const m = buildMlp({ sizes: [5, 4, 3], style, biasInit: [0.1, 0.1] });
    const session = await ort.InferenceSession.create(m.bytes);
    const x = Float32Array.from([0.5, -1, 2, 0, 1]);
    const out = (await session.run({ input: new ort.Tensor('float32', x, [1, 5]) })).output!.data as Float32Array;
    const [w0, b0, w1, b1] = m.tensors.map((t) => t.values);
    const layer = (inp: number[], w: Float32Array, b: Float32Array, fin: number, fout: number): number[] =>
      Array.from({ length: fout }, (_, o) => b[o]! + inp.reduce((s, v, i) => s + v * (style === 'gemm' ? w[o * fin + i]! : w[i * fout + o]!), 0));
    const h = layer(Array.from(x), w0!, b0!, 5, 4).map((v) => Math.max(0, v));
    const y = layer(h, w1!, b1!, 4, 3);
    y.forEach((v, i) => assert.ok(Math.abs(v - out[i]!) < 1e-5, `${style} output ${i}: ${out[i]} vs ${v}`));
  }
});

test('built CNN with a grouped conv passes onnxruntime shape checks and runs', async () => {
  const m = buildCnn({ inChannels: 3, channels: [8, 8], groups: [1, 8], classes: 5, convInit: [0.2, { kind: 'truncated-normal', std: 0.1 }] });
  assert.deepEqual(m.tensors.find((t) => t.name === 'conv1.weight')!.dims, [8, 1, 3, 3]);
  assert.equal(m.tensors.find((t) => t.name === 'bn0.running_var')!.stats.mean, 1);
  const session = await ort.InferenceSession.create(m.bytes);
  const out = await session.run({ input: new ort.Tensor('float32', new Float32Array(2 * 3 * 8 * 8).fill(1), [2, 3, 8, 8]) });
  assert.deepEqual(out.output!.dims, [2, 5]);
  assert.ok(Array.from(out.output!.data as Float32Array).every(Number.isFinite));
});
