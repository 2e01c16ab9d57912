import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fingerprint, type FingerprintInput } from '../../../src/core/analysis/fingerprint';
import { orthogonality } from '../../../src/core/analysis/tensorPass';
import { computeTensorStats } from '../../../src/core/stats/tensorStats';
import { normalValues, orthogonalValues, Rng, truncatedNormalValues, uniformValues } from '../../support/modelBuilders';

function input(values: Float32Array, fans: { fanIn: number; fanOut: number }[], extra: Partial<FingerprintInput> = {}): FingerprintInput {
  const s = computeTensorStats([Float64Array.from(values)]);
  return { count: s.finiteCount, mean: s.mean, std: s.std, min: s.min, max: s.max, kurtosis: s.excessKurtosis, pooledKurtosis: null, role: 'weight', fans, rnnHidden: null, nLayer: null, orthogonal: null, loose: false, ...extra };
}
const best = (i: FingerprintInput): string | undefined => fingerprint(i).matches[0]?.label;
const rng = (): Rng => new Rng(7);

test('He normal and uniform are told apart by shape', () => {
  const f = [{ fanIn: 256, fanOut: 128 }];
  assert.equal(best(input(normalValues(256 * 128, Math.sqrt(2 / 256), rng()), f)), 'he_normal');
  assert.equal(best(input(uniformValues(256 * 128, Math.sqrt(6 / 256), rng()), f)), 'he_uniform');
  assert.equal(best(input(normalValues(256 * 128, Math.sqrt(2 / 128), rng()), f)), 'he_normal_fan_out');
});

test('Xavier (with tanh gain), LeCun and the PyTorch default', () => {
  const f = [{ fanIn: 300, fanOut: 100 }];
  assert.equal(best(input(uniformValues(30000, Math.sqrt(6 / 400), rng()), f)), 'xavier_uniform');
  assert.equal(best(input(normalValues(30000, (5 / 3) * Math.sqrt(2 / 400), rng()), f)), 'xavier_normal(gain=1.667)');
  assert.equal(best(input(normalValues(30000, 1 / Math.sqrt(300), rng()), f)), 'lecun_normal');
  assert.equal(best(input(uniformValues(30000, 1 / Math.sqrt(300), rng()), f)), 'torch_default_uniform');
});

test('fixed-std conventions: N(0,0.02) (≡ absolute-cut trunc_normal), GPT-2 residual, N(0,1) embeddings, RNN default', () => {
  const f = [{ fanIn: 768, fanOut: 768 }];
  const g = fingerprint(input(truncatedNormalValues(768 * 768, 0.02, rng(), 100), f));
  assert.equal(g.matches[0]?.label, 'normal(mean=0,std=0.02)');
  assert.ok(g.matches[0]?.equivalents.includes('trunc_normal(std=0.02,a=-2,b=2)'));
  const res = fingerprint(input(normalValues(768 * 768, 0.02 / Math.sqrt(24), rng()), f, { nLayer: 12 }));
  assert.equal(res.matches[0]?.label, 'normal(mean=0,std=0.004082)');
  assert.ok(res.matches[0]?.equivalents.includes('gpt2_residual'));
  assert.equal(best(input(normalValues(1000 * 64, 1, rng()), [{ fanIn: 64, fanOut: 1000 }], { role: 'embedding' })), 'torch_default_normal(1.0)');
  assert.equal(best(input(uniformValues(512 * 64, 1 / Math.sqrt(128), rng()), [{ fanIn: 64, fanOut: 512 }], { rnnHidden: 128 })), 'torch_default_uniform');
});

test('a wrong scale matches nothing', () => {
  const f = [{ fanIn: 128, fanOut: 128 }];
  assert.equal(fingerprint(input(normalValues(16384, 1.25, rng()), f)).matches.length, 0, 'He ×10 matches no convention');
  assert.equal(fingerprint(input(normalValues(16384, 0.4, rng()), f)).matches.length, 0);
  assert.equal(fingerprint(input(normalValues(16384, 0.4, rng()), f)).shape, 'normal');
});

test('orthogonal matrices: WWᵀ = g²I, random ones fail', () => {
  const w = Float64Array.from(orthogonalValues(64, 128, rng(), 5 / 3));
  const o = orthogonality(w, 64, 128);
  assert.ok(Math.abs(o.gain - 5 / 3) < 1e-5 && o.deviation < 1e-5);
  const tall = orthogonality(Float64Array.from(orthogonalValues(128, 32, rng())), 128, 32);
  assert.ok(tall.deviation < 1e-5, 'columns orthonormal for tall matrices');
  const r = orthogonality(Float64Array.from(normalValues(64 * 128, 0.1, rng())), 64, 128);
  assert.ok(r.deviation > 0.01);
  const fp = fingerprint(input(orthogonalValues(64, 128, rng()), [{ fanIn: 128, fanOut: 64 }], { orthogonal: orthogonality(Float64Array.from(orthogonalValues(64, 128, rng())), 64, 128) }));
  assert.equal(fp.matches[0]?.label, 'orthogonal');
});
