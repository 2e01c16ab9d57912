import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activationName, calculateGain, schemeFor, varianceFactor } from '../../../src/core/analysis/gains';
import { heStd, lecunStd, recommend, torchDefaultStd, xavierStd } from '../../../src/core/analysis/schemes';

test('calculate_gain agrees with torch.nn.init', () => {
  assert.equal(calculateGain({ kind: 'relu' }), Math.SQRT2);
  assert.equal(calculateGain({ kind: 'tanh' }), 5 / 3);
  assert.equal(calculateGain({ kind: 'selu' }), 0.75);
  assert.equal(calculateGain({ kind: 'sigmoid' }), 1);
  assert.equal(calculateGain({ kind: 'linear' }), 1);
  assert.equal(calculateGain({ kind: 'leaky_relu', alpha: 0.2 }), Math.sqrt(2 / 1.04));
  assert.equal(calculateGain({ kind: 'leaky_relu' }), Math.sqrt(2 / (1 + 0.01 ** 2)), 'default slope 0.01');
  // kaiming_uniform_(a=√5): gain √(1/3)
  assert.ok(Math.abs(calculateGain({ kind: 'leaky_relu', alpha: Math.sqrt(5) }) - Math.sqrt(1 / 3)) < 1e-15);
});

test('scheme by activation: He for the ReLU family, LeCun for SELU, Xavier otherwise', () => {
  for (const k of ['relu', 'leaky_relu', 'gelu', 'silu', 'elu', 'hardswish'] as const) assert.equal(schemeFor({ kind: k }), 'he');
  for (const k of ['tanh', 'sigmoid', 'linear', 'softmax'] as const) assert.equal(schemeFor({ kind: k }), 'xavier');
  assert.equal(schemeFor({ kind: 'selu' }), 'lecun');
  assert.equal(activationName({ kind: 'leaky_relu', alpha: 0.2 }), 'LeakyRelu(0.2)');
  assert.equal(varianceFactor({ kind: 'relu' }), 0.5);
});

test('scheme stds and bounds', () => {
  assert.equal(xavierStd({ fanIn: 64, fanOut: 128 }), Math.sqrt(2 / 192));
  assert.equal(heStd(64), Math.sqrt(2 / 64));
  assert.equal(lecunStd(64), 0.125);
  // PyTorch Linear default: U(±1/√fan_in) has std 1/√(3·fan_in) = 0.408 × He
  assert.ok(Math.abs(torchDefaultStd(64) / heStd(64) - 1 / Math.sqrt(6)) < 1e-15);
  const r = recommend({ fanIn: 64, fanOut: 128 }, { kind: 'tanh' }, '', false);
  assert.equal(r.scheme, 'xavier');
  assert.equal(r.std, (5 / 3) * Math.sqrt(2 / 192));
  assert.equal(r.xavier?.bound, Math.sqrt(3) * Math.sqrt(2 / 192));
  assert.equal(r.he?.fanOutStd, Math.sqrt(2 / 128));
  const relu = recommend({ fanIn: 64, fanOut: 128 }, { kind: 'relu' }, 'BatchNormalization', false);
  assert.equal(relu.std, Math.sqrt(2 / 64));
  assert.match(relu.reason, /Relu \(through BatchNormalization\) → He/);
  const selu = recommend({ fanIn: 100, fanOut: 10 }, { kind: 'selu' }, '', false);
  assert.deepEqual([selu.scheme, selu.std, selu.gain], ['lecun', 0.1, 1]);
  const emb = recommend({ fanIn: 64, fanOut: 1000 }, { kind: 'linear' }, '', true);
  assert.deepEqual([emb.scheme, emb.std], [null, null]);
});
