// The fingerprint's observed shape (uniform / normal / truncated normal / heavy-tailed) and the
// layer report's `distribution` field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeModel } from '../../../src/core/analyze';
import { fingerprint, observedShape, type FingerprintInput } from '../../../src/core/analysis/fingerprint';
import { bytesSource, NO_EXTERNAL_DATA } from '../../../src/core/host';
import { DataType } from '../../../src/core/onnx/model';
import type { NodeSpec } from '../../../src/core/onnx/writer/modelSpec';
import { encodeModel } from '../../../src/core/onnx/writer/writeModel';
import { computeTensorStats } from '../../../src/core/stats/tensorStats';
import { buildMlp, normalValues, Rng, truncatedNormalValues, uniformValues } from '../../support/modelBuilders';

/** Laplace(0, b) with std b·√2: excess kurtosis 3. */
function laplaceValues(n: number, std: number, rng: Rng): Float32Array {
  const b = std / Math.SQRT2;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform(-0.5, 0.5);
    out[i] = -b * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
  }
  return out;
}

function input(values: Float32Array, fans = [{ fanIn: 256, fanOut: 256 }]): FingerprintInput {
  const s = computeTensorStats([Float64Array.from(values)]);
  return { count: s.finiteCount, mean: s.mean, std: s.std, min: s.min, max: s.max, kurtosis: s.excessKurtosis, pooledKurtosis: null, role: 'weight', fans, rnnHidden: null, nLayer: null, orthogonal: null, loose: false };
}
const he = Math.sqrt(2 / 256);

test('observed shape: uniform, normal, truncated normal (±2σ) and heavy-tailed are told apart', () => {
  for (const [n, seed] of [[65536, 1], [4096, 2], [1024, 3]] as const) {
    const rng = new Rng(seed);
    assert.equal(observedShape(input(uniformValues(n, 0.1, rng)), false), 'uniform', `uniform n=${n}`);
    assert.equal(observedShape(input(normalValues(n, 0.1, rng)), false), 'normal', `normal n=${n}`);
    assert.equal(observedShape(input(truncatedNormalValues(n, 0.1, rng)), false), 'trunc', `trunc n=${n}`);
    assert.equal(observedShape(input(laplaceValues(n, 0.1, rng)), false), 'heavy', `laplace n=${n}`);
  }
  // A normal cut far out (timm trunc_normal_ with absolute bounds at std 0.02) is a normal.
  assert.equal(observedShape(input(truncatedNormalValues(65536, 0.02, new Rng(4), 100)), false), 'normal');
  // Too few values: undetermined.
  assert.equal(observedShape(input(laplaceValues(16, 0.1, new Rng(5))), false), 'any');
});

test('a heavy-tailed tensor at the He std does not match he_normal; a normal one does', () => {
  const heavy = fingerprint(input(laplaceValues(65536, he, new Rng(6))));
  assert.equal(heavy.shape, 'heavy');
  assert.ok(!heavy.matches.some((m) => m.label.startsWith('he_normal')), heavy.matches.map((m) => m.label).join());
  const normal = fingerprint(input(normalValues(65536, he, new Rng(6))));
  assert.equal(normal.matches[0]?.label, 'he_normal');
});

test('layer report: distribution field per layer', () => {
  const m = buildMlp({ sizes: [256, 256, 256, 256, 256, 10], init: [{ kind: 'uniform', limit: Math.sqrt(6 / 256) }, he, { kind: 'truncated-normal', std: 0.02 }, { kind: 'constant', value: 0.5 }, 0.05] });
  const r = analyzeModel({ source: bytesSource(m.bytes), external: NO_EXTERNAL_DATA, path: 'm.onnx' });
  assert.deepEqual(r.layers.map((l) => l.distribution), ['uniform', 'normal', 'truncated-normal', 'unknown', 'normal']);

  const rng = new Rng(8);
  const nodes: NodeSpec[] = [{ opType: 'Gemm', name: 'fc', inputs: ['x', 'w'], outputs: ['h'], attributes: { transB: 1 } }, { opType: 'Relu', name: 'relu', inputs: ['h'], outputs: ['y'] }];
  const bytes = encodeModel({ irVersion: 8, opsetImports: [{ domain: '', version: 17 }], graph: { name: 'g', nodes, initializers: [{ name: 'w', dataType: DataType.FLOAT, dims: [256, 256], values: laplaceValues(65536, he, rng) }], inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: [1, 256] }], outputs: [{ name: 'y', elemType: DataType.FLOAT }] } });
  const l = analyzeModel({ source: bytesSource(bytes), external: NO_EXTERNAL_DATA, path: 'm.onnx' }).layers[0];
  assert.deepEqual([l?.distribution, l?.verdict], ['heavy-tailed', 'trained']);
});
