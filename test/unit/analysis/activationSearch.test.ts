// The activation found after a layer: PRelu's slope read from the model, activations written out
// as elementwise ops (GELU tanh form, HardSwish, Mish), and the `activation` option values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeModel } from '../../../src/core/analyze';
import { bytesSource, NO_EXTERNAL_DATA } from '../../../src/core/host';
import { DataType } from '../../../src/core/onnx/model';
import type { ModelSpec, NodeSpec, TensorSpec } from '../../../src/core/onnx/writer/modelSpec';
import { encodeModel } from '../../../src/core/onnx/writer/writeModel';
import { activationFromSetting, parseActivationSetting } from '../../../src/core/analysis/gains';
import type { AnalysisOptionsInput } from '../../../src/core/analysis/options';
import type { LayerReport, Report } from '../../../src/core/report/reportModel';
import { buildMlp, normalValues, Rng } from '../../support/modelBuilders';
import { planProbe } from '../../../src/core/probe/probePlan';
import { parseModel } from '../../../src/core/onnx/parseModel';

function run(bytes: Uint8Array, options?: AnalysisOptionsInput): Report {
  return analyzeModel({ source: bytesSource(bytes), external: NO_EXTERNAL_DATA, path: 'm.onnx' }, options as Parameters<typeof analyzeModel>[1]);
}
const f32 = (name: string, dims: number[], values: ArrayLike<number>): TensorSpec => ({ name, dataType: DataType.FLOAT, dims, values });
const CONSTS = [f32('half', [], [0.5]), f32('one', [], [1]), f32('three', [], [3]), f32('six', [], [6]), f32('zero', [], [0]), f32('kappa', [], [0.044715]), f32('beta', [], [Math.sqrt(2 / Math.PI)]), f32('c', [], [Math.SQRT2])];

/** Gemm fc (x → h, 64 → 64) followed by `tail` (which reads h and writes y), plus extra initializers. */
function layerThen(tail: NodeSpec[], extra: TensorSpec[] = []): LayerReport {
  const rng = new Rng(4);
  const spec: ModelSpec = {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    graph: {
      name: 'g',
      nodes: [{ opType: 'Gemm', name: 'fc', inputs: ['x', 'w'], outputs: ['h'], attributes: { transB: 1 } }, ...tail],
      initializers: [f32('w', [64, 64], normalValues(4096, 0.1, rng)), ...CONSTS, ...extra],
      inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: [1, 64] }, { name: 'slope_in', elemType: DataType.FLOAT, shape: [64] }],
      outputs: [{ name: 'y', elemType: DataType.FLOAT }],
    },
  };
  const layer = run(encodeModel(spec)).layers[0];
  assert.ok(layer !== undefined);
  return layer;
}
const near = (a: number | null | undefined, b: number, what: string): void => assert.ok(a !== null && a !== undefined && Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

test('PRelu: the gain follows the model\'s slope tensor (mean when per channel)', () => {
  const prelu: NodeSpec = { opType: 'PRelu', inputs: ['h', 'slope'], outputs: ['y'] };
  const l = layerThen([prelu], [f32('slope', [64], new Float32Array(64).fill(0.1))]);
  assert.equal(l.activation, 'PRelu(0.1)');
  near(l.recommended.gain, Math.sqrt(2 / 1.01), 'gain √(2/(1+0.1²))');
  assert.equal(l.recommended.scheme, 'he');
  assert.match(l.activationPath.at(-1) ?? '', /mean slope 0\.1 of 64 channels/);

  // Per-channel slopes: their mean (0.3), through the exporter's Unsqueeze to [64, 1].
  const slopes = Float32Array.from({ length: 64 }, (_, i) => (i % 2 === 0 ? 0.2 : 0.4));
  const per = layerThen([{ opType: 'Unsqueeze', inputs: ['slope', 'axes'], outputs: ['slope2'] }, { opType: 'PRelu', inputs: ['h', 'slope2'], outputs: ['y'] }],
    [f32('slope', [64], slopes), { name: 'axes', dataType: DataType.INT64, dims: [1], values: [1] }]);
  assert.equal(per.activation, 'PRelu(0.3)');
  near(per.recommended.gain, Math.sqrt(2 / 1.09), 'gain of the mean slope');

  // A scalar slope from a Constant node.
  const scalar = layerThen([{ opType: 'Constant', inputs: [], outputs: ['s'], attributes: { value_float: { type: 'float', value: 0.5 } } }, { opType: 'PRelu', inputs: ['h', 's'], outputs: ['y'] }]);
  assert.deepEqual([scalar.activation, scalar.activationPath.at(-1)], ['PRelu(0.5)', 'PRelu(slope 0.5)']);

  // A slope that is not a constant: PyTorch's initial 0.25, said so in the path.
  const unknown = layerThen([{ opType: 'PRelu', inputs: ['h', 'slope_in'], outputs: ['y'] }]);
  assert.equal(unknown.activation, 'PRelu(0.25)');
  assert.match(unknown.activationPath.at(-1) ?? '', /not readable: 0\.25 assumed/);
  near(unknown.recommended.gain, Math.sqrt(2 / 1.0625), 'fallback gain');
});

test('GELU tanh approximation written out (PyTorch approximate="tanh", HF gelu_new) is gelu', () => {
  // torch.onnx: 0.5 · (x · (1 + tanh(β · (x + κ · x·x·x))))
  const torch = layerThen([
    { opType: 'Mul', inputs: ['h', 'h'], outputs: ['h2'] }, { opType: 'Mul', inputs: ['h', 'h2'], outputs: ['h3'] },
    { opType: 'Mul', inputs: ['kappa', 'h3'], outputs: ['k3'] }, { opType: 'Add', inputs: ['h', 'k3'], outputs: ['i0'] },
    { opType: 'Mul', inputs: ['beta', 'i0'], outputs: ['i1'] }, { opType: 'Tanh', inputs: ['i1'], outputs: ['t'] },
    { opType: 'Add', inputs: ['one', 't'], outputs: ['p'] }, { opType: 'Mul', inputs: ['h', 'p'], outputs: ['q'] },
    { opType: 'Mul', inputs: ['half', 'q'], outputs: ['y'] },
  ]);
  assert.deepEqual([torch.activation, torch.activationPath, torch.recommended.scheme], ['Gelu', ['Gelu(tanh)'], 'he']);
  assert.equal(torch.activationOutput, 'y', 'the activation ends after the ·½ (what the probe measures)');
  // HF gelu_new: 0.5 · x · (1 + tanh(β · (x + κ · pow(x, 3)))), after a bias Add.
  const hf = layerThen([
    { opType: 'Add', inputs: ['h', 'bias'], outputs: ['hb'] },
    { opType: 'Mul', inputs: ['hb', 'half'], outputs: ['hh'] }, { opType: 'Pow', inputs: ['hb', 'three'], outputs: ['c3'] },
    { opType: 'Mul', inputs: ['c3', 'kappa'], outputs: ['k3'] }, { opType: 'Add', inputs: ['hb', 'k3'], outputs: ['i0'] },
    { opType: 'Mul', inputs: ['i0', 'beta'], outputs: ['i1'] }, { opType: 'Tanh', inputs: ['i1'], outputs: ['t'] },
    { opType: 'Add', inputs: ['t', 'one'], outputs: ['p'] }, { opType: 'Mul', inputs: ['hh', 'p'], outputs: ['y'] },
  ], [f32('bias', [64], new Float32Array(64))]);
  assert.deepEqual([hf.activation, hf.activationPath, hf.activationOutput], ['Gelu', ['Add', 'Gelu(tanh)'], 'y']);
  // The erf form keeps working (0.5 first, as BERT exports it).
  const erf = layerThen([
    { opType: 'Mul', inputs: ['h', 'half'], outputs: ['hh'] }, { opType: 'Div', inputs: ['h', 'c'], outputs: ['d'] }, { opType: 'Erf', inputs: ['d'], outputs: ['e'] },
    { opType: 'Add', inputs: ['e', 'one'], outputs: ['p'] }, { opType: 'Mul', inputs: ['hh', 'p'], outputs: ['y'] },
  ]);
  assert.deepEqual([erf.activation, erf.activationPath], ['Gelu', ['Gelu(erf)']]);
  // x · tanh(x) is no GELU: the plain Tanh is what follows.
  assert.equal(layerThen([{ opType: 'Tanh', inputs: ['h'], outputs: ['t'] }, { opType: 'Mul', inputs: ['h', 't'], outputs: ['y'] }]).activation, 'Tanh');
});

test('HardSwish written out (x·HardSigmoid(x), x·Relu6(x+3)/6) and Mish (x·tanh(softplus(x)))', () => {
  const relu6 = (y: string): NodeSpec[] => [{ opType: 'Add', inputs: ['h', 'three'], outputs: ['a'] }, { opType: 'Clip', inputs: ['a', 'zero', 'six'], outputs: [y] }];
  const divided = layerThen([...relu6('r'), { opType: 'Div', inputs: ['r', 'six'], outputs: ['g'] }, { opType: 'Mul', inputs: ['h', 'g'], outputs: ['y'] }]);
  assert.deepEqual([divided.activation, divided.activationPath, divided.recommended.scheme], ['HardSwish', ['HardSwish(x·Relu6(x+3)/6)'], 'he']);
  const after = layerThen([...relu6('r'), { opType: 'Mul', inputs: ['r', 'h'], outputs: ['m'] }, { opType: 'Div', inputs: ['m', 'six'], outputs: ['y'] }]);
  assert.deepEqual([after.activation, after.activationOutput], ['HardSwish', 'y']);
  const hs = layerThen([{ opType: 'HardSigmoid', inputs: ['h'], outputs: ['s'], attributes: { alpha: { type: 'float', value: 1 / 6 } } }, { opType: 'Mul', inputs: ['h', 's'], outputs: ['y'] }]);
  assert.equal(hs.activation, 'HardSwish');
  // Relu6 alone stays a ReLU.
  assert.equal(layerThen(relu6('y').slice(1).map((n) => ({ ...n, inputs: ['h', 'zero', 'six'] }))).activation, 'Relu');

  const mish = layerThen([{ opType: 'Softplus', inputs: ['h'], outputs: ['sp'] }, { opType: 'Tanh', inputs: ['sp'], outputs: ['t'] }, { opType: 'Mul', inputs: ['h', 't'], outputs: ['y'] }]);
  assert.deepEqual([mish.activation, mish.activationPath], ['Mish', ['Mish(x·tanh(softplus(x)))']]);
  const mishLog = layerThen([
    { opType: 'Exp', inputs: ['h'], outputs: ['e'] }, { opType: 'Add', inputs: ['e', 'one'], outputs: ['e1'] }, { opType: 'Log', inputs: ['e1'], outputs: ['sp'] },
    { opType: 'Tanh', inputs: ['sp'], outputs: ['t'] }, { opType: 'Mul', inputs: ['t', 'h'], outputs: ['y'] },
  ]);
  assert.equal(mishLog.activation, 'Mish');
});

test('the probe measures the activation the analysis found, written out or with a slope (by its output tensor)', () => {
  const spec = (tail: NodeSpec[], extra: TensorSpec[] = []): ModelSpec => ({
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    graph: {
      name: 'g',
      nodes: [{ opType: 'Gemm', name: 'fc', inputs: ['x', 'w'], outputs: ['h'], attributes: { transB: 1 } }, ...tail],
      initializers: [f32('w', [64, 64], normalValues(4096, 0.1, new Rng(4))), ...CONSTS, ...extra],
      inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: [1, 64] }],
      outputs: [{ name: 'y', elemType: DataType.FLOAT }],
    },
  });
  const cases: [string, ModelSpec, string][] = [
    ['tanh GELU', spec([
      { opType: 'Mul', inputs: ['h', 'h'], outputs: ['h2'] }, { opType: 'Mul', inputs: ['h', 'h2'], outputs: ['h3'] },
      { opType: 'Mul', inputs: ['kappa', 'h3'], outputs: ['k3'] }, { opType: 'Add', inputs: ['h', 'k3'], outputs: ['i0'] },
      { opType: 'Mul', inputs: ['beta', 'i0'], outputs: ['i1'] }, { opType: 'Tanh', inputs: ['i1'], outputs: ['t'] },
      { opType: 'Add', inputs: ['one', 't'], outputs: ['p'] }, { opType: 'Mul', name: 'gelu_mul', inputs: ['h', 'p'], outputs: ['q'] },
      { opType: 'Mul', name: 'gelu_half', inputs: ['half', 'q'], outputs: ['g'] }, { opType: 'Identity', inputs: ['g'], outputs: ['y'] },
    ]), 'g'],
    ['PRelu with a slope tensor', spec([{ opType: 'PRelu', name: 'act', inputs: ['h', 'slope'], outputs: ['a'] }, { opType: 'Identity', inputs: ['a'], outputs: ['y'] }], [f32('slope', [64], new Float32Array(64).fill(0.1))]), 'a'],
  ];
  for (const [what, s, expected] of cases) {
    const model = encodeModel(s);
    const report = run(model);
    const plan = planProbe(parseModel(bytesSource(model)).graph, report.layers, report.tensors);
    assert.equal(plan.targets[0]?.activation?.output, expected, what);
    assert.ok(plan.extraOutputs.includes(expected), `${what}: the activation output is probed`);
  }
});

test('a gate computed from another tensor is no activation of this layer', () => {
  // GLU-style: h · sigmoid(g) with g from a second layer: h is followed by a product, not a Silu.
  const l = layerThen([
    { opType: 'Gemm', name: 'fc2', inputs: ['x', 'w'], outputs: ['g'], attributes: { transB: 1 } },
    { opType: 'Sigmoid', inputs: ['g'], outputs: ['s'] }, { opType: 'Sigmoid', inputs: ['h'], outputs: ['sh'] }, { opType: 'Mul', inputs: ['h', 's'], outputs: ['m'] },
    { opType: 'Add', inputs: ['m', 'sh'], outputs: ['y'] },
  ]);
  assert.notEqual(l.activation, 'Silu');
  assert.equal(layerThen([{ opType: 'Sigmoid', inputs: ['h'], outputs: ['s'] }, { opType: 'Mul', inputs: ['s', 'h'], outputs: ['y'] }]).activation, 'Silu');
});

test('activation option values: names, sloped forms, canonical form, invalid ones', () => {
  assert.equal(parseActivationSetting('prelu'), 'prelu');
  assert.equal(parseActivationSetting('leaky_relu:0.20'), 'leaky_relu:0.2');
  assert.equal(parseActivationSetting(' prelu:1e-1 '), 'prelu:0.1');
  for (const bad of ['swish', 'relu:0.2', 'leaky_relu:', 'leaky_relu:-0.1', 'leaky_relu:abc', 'leaky_relu=0.2', 'auto:1']) assert.equal(parseActivationSetting(bad), undefined, bad);
  assert.deepEqual(activationFromSetting('leaky_relu'), { kind: 'leaky_relu', alpha: 0.01 });
  assert.deepEqual(activationFromSetting('prelu'), { kind: 'prelu', alpha: 0.25 });
  assert.deepEqual(activationFromSetting('prelu:0.1'), { kind: 'prelu', alpha: 0.1 });
  assert.equal(activationFromSetting('auto'), null);
});

test('the new activation option values are applied to every layer', () => {
  const m = buildMlp({ sizes: [32, 32, 10] });
  const cases: [string, string, 'he' | 'xavier', number][] = [
    ['prelu', 'PRelu(0.25)', 'he', Math.sqrt(2 / 1.0625)],
    ['prelu:0.1', 'PRelu(0.1)', 'he', Math.sqrt(2 / 1.01)],
    ['leaky_relu:0.2', 'LeakyRelu(0.2)', 'he', Math.sqrt(2 / 1.04)],
    ['elu', 'Elu', 'he', Math.SQRT2],
    ['hardswish', 'HardSwish', 'he', Math.SQRT2],
    ['softmax', 'Softmax', 'xavier', 1],
  ];
  for (const [option, name, scheme, gain] of cases) {
    const r = run(m.bytes, { activation: option as never });
    assert.equal(r.options.activation, option);
    for (const l of r.layers) {
      assert.deepEqual([l.activation, l.recommended.scheme, l.activationPath], [name, scheme, ['(activation option)']], option);
      near(l.recommended.gain, gain, option);
    }
  }
  assert.equal(run(m.bytes, { activation: 'bogus' as never }).options.activation, 'auto', 'an invalid value through the API is auto');
});
