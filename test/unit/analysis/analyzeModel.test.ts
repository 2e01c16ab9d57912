// End-to-end behaviour of analyzeModel on small models written with the test writer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeModel } from '../../../src/core/analyze';
import { CancelledError } from '../../../src/core/errors';
import { bytesSource, NO_EXTERNAL_DATA } from '../../../src/core/host';
import { DataType } from '../../../src/core/onnx/model';
import type { ModelSpec, NodeSpec, TensorSpec } from '../../../src/core/onnx/writer/modelSpec';
import { encodeModel } from '../../../src/core/onnx/writer/writeModel';
import type { AnalysisOptions } from '../../../src/core/analysis/options';
import type { Report } from '../../../src/core/report/reportModel';
import { buildCnn, buildMlp, normalValues, Rng } from '../../support/modelBuilders';

function run(bytes: Uint8Array, options?: Partial<AnalysisOptions>, hooks?: Parameters<typeof analyzeModel>[2]): Report {
  return analyzeModel({ source: bytesSource(bytes), external: NO_EXTERNAL_DATA, path: 'm.onnx' }, options, hooks);
}
const f32 = (name: string, dims: number[], values: ArrayLike<number>): TensorSpec => ({ name, dataType: DataType.FLOAT, dims, values });
const codes = (r: Report, tensor: string): string[] => r.findings.filter((f) => f.tensor === tensor).map((f) => `${f.code}:${f.severity}`);
const loud = (r: Report): string[] => r.findings.filter((f) => f.severity === 'error' || f.severity === 'warning').map((f) => `${f.code}@${f.tensor}`);
function spec(nodes: NodeSpec[], initializers: TensorSpec[], input: { name: string; shape: number[] }, output: string): ModelSpec {
  return { irVersion: 8, opsetImports: [{ domain: '', version: 17 }], graph: { name: 'g', nodes, initializers, inputs: [{ name: input.name, elemType: DataType.FLOAT, shape: input.shape }], outputs: [{ name: output, elemType: DataType.FLOAT }] } };
}

test('He MLP: fans, He recommendation after ReLU, fingerprint, no warnings', () => {
  const m = buildMlp({ sizes: [256, 256, 128, 10], seed: 3 });
  const r = run(m.bytes);
  assert.equal(r.layers.length, 3);
  const [l0, , head] = r.layers;
  assert.deepEqual([l0?.fanIn, l0?.fanOut, l0?.activation, l0?.recommended.scheme], [256, 256, 'Relu', 'he']);
  assert.equal(l0?.recommended.std, Math.sqrt(2 / 256));
  assert.equal(l0?.matchedScheme?.label, 'he_normal');
  assert.equal(l0?.verdict, 'fresh');
  assert.equal(head?.activation, 'none');
  assert.equal(r.model.verdict, 'fresh');
  assert.deepEqual(loud(r), []);
  // Statistics are exact float64 (vs the builder's own two-pass computation).
  const t = m.tensors.find((x) => x.name === 'fc0.weight');
  assert.ok(Math.abs((l0?.stats.std ?? 0) - (t?.stats.std ?? 0)) <= 1e-12 * (t?.stats.std ?? 1));
  assert.equal(r.layers[0]?.histogram?.counts.reduce((a, b) => a + b, 0), 256 * 256);
});

test('injected defects: all-zero, constant, ×10 std, plus the vanishing forecast', () => {
  const m = buildMlp({ sizes: [64, 128, 128, 128, 10], init: [Math.sqrt(2 / 64), { kind: 'constant', value: 0 }, { kind: 'constant', value: 0.05 }, 10 * Math.sqrt(2 / 128)] });
  const r = run(m.bytes);
  assert.deepEqual(codes(r, 'fc1.weight'), ['weight-all-zero:error']);
  assert.deepEqual(codes(r, 'fc2.weight'), ['weight-constant:error']);
  assert.ok(codes(r, 'fc3.weight').includes('variance-too-high:error'));
  assert.ok(r.findings.some((f) => f.code === 'activation-vanishes-forecast'));
  assert.ok(codes(r, 'fc0.bias').includes('zero-bias-before-relu:hint'));
});

test('deep N(0,0.01) ReLU MLP: variance-too-low everywhere and a vanishing forecast from depth 1', () => {
  const m = buildMlp({ sizes: [256, 256, 256, 256, 256, 10], init: [0.01, 0.01, 0.01, 0.01, 0.01] });
  const r = run(m.bytes);
  for (let i = 0; i < 5; i++) assert.ok(codes(r, `fc${i}.weight`).some((c) => c.startsWith('variance-too-low:')), `fc${i}`);
  assert.equal(r.forecast.verdict, 'vanishing');
  assert.equal(r.forecast.startsAt, 1);
  assert.ok(Math.abs((r.forecast.points[0]?.gain ?? 0) - 256 * 1e-4 * 0.5) < 2e-3);
});

test('CNN with BatchNorm: activation found through BN, variance findings become info', () => {
  const m = buildCnn({ inChannels: 3, channels: [16, 32], classes: 10, convInit: [1, 1] });
  const r = run(m.bytes);
  const c0 = r.layers[0];
  assert.deepEqual([c0?.activation, c0?.activationPath, c0?.normalizedAfter], ['Relu', ['BatchNormalization', 'Relu'], true]);
  assert.deepEqual(codes(r, 'conv0.weight'), ['variance-too-high:info']);
  assert.ok(codes(r, 'bn0.weight').includes('intentional-unit-norm-scale:info'));
  assert.deepEqual(loud(r), []);
});

test('zero-gamma last BN of a residual block is intentional; a zero gamma elsewhere is a warning', () => {
  const rng = new Rng(5);
  const w = (n: string): TensorSpec => f32(n, [8, 8, 3, 3], normalValues(576, Math.sqrt(2 / 72), rng));
  const ones = f32('ones', [8], new Float32Array(8).fill(1));
  const zeros = f32('zeros', [8], new Float32Array(8));
  const g0 = f32('gamma0', [8], new Float32Array(8));
  const bn = (x: string, gamma: string, y: string): NodeSpec => ({ opType: 'BatchNormalization', name: `bn_${y}`, inputs: [x, gamma, 'zeros', 'zeros', 'ones'], outputs: [y] });
  const conv = (x: string, weight: string, y: string): NodeSpec => ({ opType: 'Conv', name: `conv_${y}`, inputs: [x, weight], outputs: [y], attributes: { pads: [1, 1, 1, 1] } });
  const nodes: NodeSpec[] = [
    conv('x', 'w1', 'c1'), bn('c1', 'ones', 'b1'), { opType: 'Relu', name: 'r1', inputs: ['b1'], outputs: ['a1'] },
    conv('a1', 'w2', 'c2'), bn('c2', 'gamma0', 'b2'), { opType: 'Add', name: 'res', inputs: ['b2', 'x'], outputs: ['s'] },
    { opType: 'Relu', name: 'r2', inputs: ['s'], outputs: ['a2'] },
    conv('a2', 'w3', 'c3'), bn('c3', 'gamma_plain', 'y'),
  ];
  const r = run(encodeModel(spec(nodes, [w('w1'), w('w2'), w('w3'), ones, zeros, g0, f32('gamma_plain', [8], new Float32Array(8))], { name: 'x', shape: [1, 8, 8, 8] }, 'y')));
  assert.deepEqual(codes(r, 'gamma0'), ['intentional-zero-gamma-residual:info']);
  assert.ok(r.findings.find((f) => f.tensor === 'gamma0')?.intentional);
  assert.deepEqual(codes(r, 'gamma_plain'), ['weight-all-zero:warning']);
  assert.equal(r.layers.find((l) => l.weight === 'w2')?.activation, 'Relu', 'activation found after the residual Add');
});

test('dead and identical units, zero head and LoRA B are told apart', () => {
  const rng = new Rng(9);
  const w = normalValues(32 * 16, Math.sqrt(2 / 16), rng);
  for (const row of [3, 7]) w.fill(0, row * 16, row * 16 + 16);
  w.copyWithin(10 * 16, 11 * 16, 12 * 16); // rows 10 and 11 identical
  const nodes: NodeSpec[] = [
    { opType: 'Gemm', name: 'fc1', inputs: ['x', 'w', 'b'], outputs: ['h'], attributes: { transB: 1 } },
    { opType: 'Relu', name: 'relu', inputs: ['h'], outputs: ['a'] },
    { opType: 'MatMul', name: 'lora_down', inputs: ['a', 'lora_A'], outputs: ['d'] },
    { opType: 'MatMul', name: 'lora_up', inputs: ['d', 'lora_B'], outputs: ['u'] },
    { opType: 'Add', name: 'merge', inputs: ['a', 'u'], outputs: ['m'] },
    { opType: 'Gemm', name: 'head', inputs: ['m', 'head.weight'], outputs: ['y'], attributes: { transB: 1 } },
  ];
  const inits = [f32('w', [32, 16], w), f32('b', [32], new Float32Array(32)), f32('lora_A', [32, 4], normalValues(128, 0.1, rng)), f32('lora_B', [4, 32], new Float32Array(128)), f32('head.weight', [10, 32], new Float32Array(320))];
  const r = run(encodeModel(spec(nodes, inits, { name: 'x', shape: [1, 16] }, 'y')));
  const dead = r.findings.find((f) => f.code === 'dead-units');
  assert.deepEqual([dead?.tensor, dead?.severity, dead?.data?.units], ['w', 'warning', [3, 7]]);
  assert.deepEqual(r.layers[0]?.channels?.dead, [3, 7]);
  assert.deepEqual(r.layers[0]?.channels?.identical, [[10, 11]]);
  assert.ok(codes(r, 'w').includes('identical-units:warning'));
  assert.deepEqual(codes(r, 'lora_B'), ['intentional-lora-b:info']);
  assert.deepEqual(codes(r, 'head.weight'), ['intentional-zero-head:info']);
});

test('weight chains: Identity de-dup, Transpose layout, per-axis DequantizeLinear', () => {
  const rng = new Rng(11);
  const wv = normalValues(8 * 4, 0.5, rng);
  const q = Int8Array.from({ length: 6 * 4 }, (_, i) => ((i * 37) % 255) - 127);
  const scales = [0.01, 0.02, 0.03, 0.04];
  const nodes: NodeSpec[] = [
    { opType: 'Identity', name: 'dedup', inputs: ['w'], outputs: ['w_alias'] },
    { opType: 'Transpose', name: 'tr', inputs: ['w'], outputs: ['wt'], attributes: { perm: [1, 0] } },
    { opType: 'Gemm', name: 'g1', inputs: ['x', 'w'], outputs: ['y1'], attributes: { transB: 1 } },
    { opType: 'Gemm', name: 'g2', inputs: ['x', 'w_alias'], outputs: ['y2'], attributes: { transB: 1 } },
    { opType: 'MatMul', name: 'mm', inputs: ['x', 'wt'], outputs: ['y3'] },
    { opType: 'DequantizeLinear', name: 'dq', inputs: ['qw', 'qs'], outputs: ['dqw'], attributes: { axis: 1 } },
    { opType: 'MatMul', name: 'mmq', inputs: ['y3', 'dqw'], outputs: ['y'] },
  ];
  const inits: TensorSpec[] = [f32('w', [4, 8], wv), { name: 'qw', dataType: DataType.INT8, dims: [4, 6], values: q.subarray(0, 24) }, f32('qs', [6], [...scales, 0.05, 0.06])];
  const r = run(encodeModel(spec(nodes, inits, { name: 'x', shape: [1, 8] }, 'y')));
  const uses = r.layers.filter((l) => l.weight === 'w');
  assert.deepEqual(uses.map((l) => [l.node, l.fanIn, l.fanOut]), [['g1', 8, 4], ['g2', 8, 4], ['mm', 8, 4]]);
  assert.deepEqual(uses[1]?.via, ['Identity:dedup']);
  assert.deepEqual(uses[2]?.shape, [8, 4]);
  assert.equal(r.tensors.some((t) => t.name === 'w'), false, 'reported once, as layers');
  const dq = r.layers.find((l) => l.weight === 'qw');
  assert.deepEqual([dq?.fanIn, dq?.fanOut, dq?.via], [4, 6, ['DequantizeLinear:dq']]);
  const deq = Array.from(q.subarray(0, 24), (v, i) => v * Math.fround([...scales, 0.05, 0.06][i % 6] as number));
  const mean = deq.reduce((a, b) => a + b, 0) / deq.length;
  assert.ok(Math.abs((dq?.stats.mean ?? NaN) - mean) < 1e-15, 'stats are of the dequantized values');
  assert.equal(dq?.matchedScheme?.label.startsWith('quantized_int8(') ?? true, true);
  assert.equal(r.tensors.find((t) => t.name === 'qs')?.role, 'quant_scale');
});

test('activation search: Silu, erf-GELU, LeakyRelu(α), and the user override', () => {
  const rng = new Rng(2);
  const mk = (tail: NodeSpec[]): Report => run(encodeModel(spec([{ opType: 'Gemm', name: 'fc', inputs: ['x', 'w'], outputs: ['h'], attributes: { transB: 1 } }, ...tail], [f32('w', [64, 64], normalValues(4096, 0.1, rng)), f32('c', [], [1.4142135]), f32('one', [], [1]), f32('half', [], [0.5])], { name: 'x', shape: [1, 64] }, 'y')));
  assert.equal(mk([{ opType: 'Sigmoid', inputs: ['h'], outputs: ['s'] }, { opType: 'Mul', inputs: ['h', 's'], outputs: ['y'] }]).layers[0]?.activation, 'Silu');
  const gelu = mk([{ opType: 'Div', inputs: ['h', 'c'], outputs: ['d'] }, { opType: 'Erf', inputs: ['d'], outputs: ['e'] }, { opType: 'Add', inputs: ['e', 'one'], outputs: ['p'] }, { opType: 'Mul', inputs: ['h', 'p'], outputs: ['q'] }, { opType: 'Mul', inputs: ['q', 'half'], outputs: ['y'] }]);
  assert.deepEqual([gelu.layers[0]?.activation, gelu.layers[0]?.recommended.scheme], ['Gelu', 'he']);
  const lk = mk([{ opType: 'LeakyRelu', inputs: ['h'], outputs: ['y'], attributes: { alpha: { type: 'float', value: 0.2 } } }]);
  assert.equal(lk.layers[0]?.activation, 'LeakyRelu(0.2)');
  assert.ok(Math.abs((lk.layers[0]?.recommended.gain ?? 0) - Math.sqrt(2 / 1.04)) < 1e-6);
  const m = buildMlp({ sizes: [32, 32, 10] });
  const forced = run(m.bytes, { activation: 'tanh' });
  assert.deepEqual([forced.layers[0]?.activation, forced.layers[0]?.recommended.scheme, forced.options.activation], ['Tanh', 'xavier', 'tanh']);
});

test('options: severity overrides, ignore globs, sampling; progress and cancellation', () => {
  const m = buildMlp({ sizes: [64, 128, 10], init: [{ kind: 'constant', value: 0 }, 0.1] });
  assert.deepEqual(codes(run(m.bytes, { severityOverrides: { 'weight-all-zero': 'info' } }), 'fc0.weight'), ['weight-all-zero:info']);
  assert.deepEqual(codes(run(m.bytes, { severityOverrides: { 'weight-all-zero': 'off' } }), 'fc0.weight'), []);
  assert.deepEqual(codes(run(m.bytes, { ignore: ['fc0.*'] }), 'fc0.weight'), []);
  const sampled = run(buildMlp({ sizes: [256, 256, 10] }).bytes, { maxElementsPerTensor: 1000 });
  assert.equal(sampled.layers[0]?.stats.sampled, true);
  assert.ok((sampled.layers[0]?.stats.count ?? 0) <= 1000);
  let last: [number, number] = [0, 0];
  run(m.bytes, undefined, { progress: { report: (d, t) => { last = [d, t]; } } });
  assert.ok(last[1] > 0 && last[0] === last[1], 'progress ends at the total byte count');
  assert.throws(() => run(m.bytes, undefined, { signal: { isCancellationRequested: true } }), CancelledError);
  const partials: Report[] = [];
  run(m.bytes, undefined, { onPartial: (r) => partials.push(r) });
  assert.deepEqual(partials, [], 'a small model that is read at once gets no partial report');
});

test('progressive results: a big model gets the layer list first (all pending), the final report has none pending', () => {
  // 3 × 2048² float32 weights ≈ 50 MB: over the size from which the graph-only report goes out at once.
  const big = buildMlp({ sizes: [2048, 2048, 2048, 2048, 10], init: [0.03, 0.03, 0.03, 0.03] });
  const partials: Report[] = [];
  const final = run(big.bytes, undefined, { onPartial: (r) => partials.push(JSON.parse(JSON.stringify(r)) as Report) });
  assert.ok(partials.length >= 1);
  const first = partials[0]!;
  assert.deepEqual(first.layers.map((l) => l.weight), final.layers.map((l) => l.weight), 'every layer listed before any weight is read');
  assert.ok(first.layers.every((l) => l.pending === true && l.stats.std === null));
  assert.deepEqual(first.layers.map((l) => [l.fanIn, l.fanOut, l.recommended.std]), final.layers.map((l) => [l.fanIn, l.fanOut, l.recommended.std]), 'fans and recommendations are there from the start');
  assert.deepEqual(first.findings, []);
  assert.equal(first.model.verdict, 'unknown');
  assert.ok(final.layers.every((l) => l.pending === undefined && l.stats.std !== null));
});

test('LSTM: per-gate statistics in ONNX gate order, Xavier family inside the cell', () => {
  const rng = new Rng(8);
  const H = 16;
  const W = normalValues(4 * H * 8, 0.1, rng);
  W.fill(0, 2 * H * 8, 3 * H * 8); // gate f (third in i,o,f,c) all zero
  const nodes: NodeSpec[] = [{ opType: 'LSTM', name: 'lstm', inputs: ['x', 'W', 'R'], outputs: ['y'], attributes: { hidden_size: H } }];
  const r = run(encodeModel(spec(nodes, [f32('W', [1, 4 * H, 8], W), f32('R', [1, 4 * H, H], normalValues(4 * H * H, 0.1, rng))], { name: 'x', shape: [5, 1, 8] }, 'y')));
  const l = r.layers[0] as unknown as { gateStats: { gate: string; std: number }[]; activation: string; fanIn: number; fanOut: number; channels: { dead: number[] } };
  assert.deepEqual(l.gateStats.map((g) => g.gate), ['i', 'o', 'f', 'c']);
  assert.equal(l.gateStats[2]?.std, 0);
  assert.ok((l.gateStats[0]?.std ?? 0) > 0.05);
  assert.deepEqual([l.activation, l.fanIn, l.fanOut], ['Tanh', 8, 64]);
  assert.equal(l.channels.dead.length, H, 'the zero gate rows are dead units');
  assert.equal(r.layers[1]?.role, 'rnn_recurrent_weight');
});

test('unsorted nodes and cycles terminate', () => {
  const rng = new Rng(4);
  const nodes: NodeSpec[] = [
    { opType: 'Relu', name: 'r', inputs: ['h'], outputs: ['y'] },
    { opType: 'Gemm', name: 'fc', inputs: ['x', 'w'], outputs: ['h'], attributes: { transB: 1 } },
    { opType: 'Add', name: 'loop_a', inputs: ['p', 'q'], outputs: ['q2'] },
    { opType: 'Add', name: 'loop_b', inputs: ['q2', 'y'], outputs: ['p'] },
  ];
  const r = run(encodeModel(spec(nodes, [f32('w', [16, 16], normalValues(256, Math.sqrt(2 / 16), rng))], { name: 'x', shape: [1, 16] }, 'y')));
  assert.deepEqual([r.layers[0]?.node, r.layers[0]?.activation], ['fc', 'Relu']);
  assert.ok(JSON.stringify(r).length > 0);
});

test('QLinearConv weights are dequantized with the op\'s own scale / zero point; MatMulInteger is not compared', () => {
  const q = Int8Array.from({ length: 4 * 2 * 3 * 3 }, (_, i) => ((i * 53) % 41) - 20);
  const scales = [0.01, 0.02, 0.03, 0.04];
  const sc = (name: string, v: number[]): TensorSpec => f32(name, [v.length], v);
  const i8 = (name: string, dims: number[], v: ArrayLike<number>): TensorSpec => ({ name, dataType: DataType.INT8, dims, values: v });
  const nodes: NodeSpec[] = [
    { opType: 'QLinearConv', name: 'qconv', inputs: ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz'], outputs: ['y'] },
    { opType: 'MatMulInteger', name: 'mmi', inputs: ['a', 'b'], outputs: ['z'] },
  ];
  const inits = [sc('xs', [0.1]), i8('xz', [], [0]), i8('w', [4, 2, 3, 3], q), sc('ws', scales), i8('wz', [4], [0, 0, 0, 0]), sc('ys', [0.1]), i8('yz', [], [0]), i8('b', [8, 4], Int8Array.from({ length: 32 }, (_, i) => i - 16))];
  const r = run(encodeModel(spec(nodes, inits, { name: 'x', shape: [1, 2, 5, 5] }, 'y')));
  const w = r.layers.find((l) => l.weight === 'w');
  const expected = Array.from(q, (v, i) => v * Math.fround(scales[Math.floor(i / 18)] as number));
  const mean = expected.reduce((a, b) => a + b, 0) / expected.length;
  assert.ok(Math.abs((w?.stats.mean ?? NaN) - mean) < 1e-15);
  assert.deepEqual([w?.fanIn, w?.fanOut], [18, 36]);
  assert.equal(r.tensors.find((t) => t.name === 'ws')?.role, 'quant_scale');
  const b = r.layers.find((l) => l.weight === 'b');
  assert.equal(b?.matchedScheme, null);
  assert.deepEqual(r.findings.filter((f) => f.tensor === 'b' && f.code.startsWith('variance')), []);
});

test('subgraphs read outer initializers (If branches), and their own weights are found', () => {
  const rng = new Rng(12);
  const thenBranch = { name: 'then', nodes: [{ opType: 'Gemm', name: 'then_fc', inputs: ['x', 'outer_w'], outputs: ['t'], attributes: { transB: 1 } }], initializers: [], inputs: [], outputs: [{ name: 't', elemType: DataType.FLOAT }] };
  const elseBranch = { name: 'else', nodes: [{ opType: 'Gemm', name: 'else_fc', inputs: ['x', 'inner_w'], outputs: ['e'], attributes: { transB: 1 } }], initializers: [f32('inner_w', [8, 16], new Float32Array(128))], inputs: [], outputs: [{ name: 'e', elemType: DataType.FLOAT }] };
  const nodes: NodeSpec[] = [{ opType: 'If', name: 'branch', inputs: ['cond'], outputs: ['y'], attributes: { then_branch: { type: 'graph', value: thenBranch }, else_branch: { type: 'graph', value: elseBranch } } }];
  const m = spec(nodes, [f32('outer_w', [8, 16], normalValues(128, Math.sqrt(2 / 16), rng)), { name: 'cond', dataType: DataType.BOOL, dims: [], values: [1] }], { name: 'x', shape: [1, 16] }, 'y');
  const r = run(encodeModel(m));
  const outer = r.layers.find((l) => l.weight === 'outer_w');
  assert.deepEqual([outer?.node, outer?.fanIn, outer?.fanOut], ['then_fc', 16, 8]);
  const inner = r.layers.find((l) => l.weight === 'inner_w');
  assert.equal(inner?.node, 'else_fc');
  assert.ok(codes(r, 'inner_w').some((c) => c.startsWith('weight-all-zero') || c.startsWith('intentional-zero-head')));
  assert.equal(r.model.counts.subgraphs, 2);
});

test('a std that only rounds to 0.02 is not taken for the N(0, 0.02) convention', () => {
  const r = run(buildMlp({ sizes: [256, 256, 256, 256, 10], init: [0.026, 0.026, 0.026, 0.026] }).bytes);
  assert.ok(codes(r, 'fc1.weight').some((c) => c === 'variance-too-low:warning' || c === 'variance-too-low:error'), codes(r, 'fc1.weight').join());
});

test('an exploding 60-layer forecast stays finite and JSON-safe', () => {
  const sizes = Array.from({ length: 61 }, () => 64);
  const r = run(buildMlp({ sizes, init: sizes.slice(1).map(() => 3) }).bytes);
  assert.equal(r.forecast.verdict, 'exploding');
  assert.equal(r.forecast.startsAt, 0);
  for (const p of r.forecast.points) assert.ok(Number.isFinite(p.cumulative) && Number.isFinite(p.gain));
  assert.ok(r.findings.some((f) => f.code === 'activation-explodes-forecast' && f.severity === 'warning'));
});

test('a weight with more output units than any real layer (2^20 + 1) keeps its statistics, without per-unit sums', () => {
  const n = (1 << 20) + 1;
  const w = normalValues(n, 0.1, new Rng(2));
  const r = run(encodeModel(spec([{ opType: 'MatMul', name: 'mm', inputs: ['x', 'w'], outputs: ['y'] }], [f32('w', [1, n], w)], { name: 'x', shape: [1, 1] }, 'y')));
  const l = r.layers[0]!;
  assert.equal(l.channels, null, 'no per-unit statistics');
  assert.equal(l.stats.count, n);
  assert.ok(Math.abs((l.stats.std ?? 0) - 0.1) < 0.001);
  // One unit fewer than the bound still gets them.
  const m = (1 << 20);
  const r2 = run(encodeModel(spec([{ opType: 'MatMul', name: 'mm', inputs: ['x', 'w'], outputs: ['y'] }], [f32('w', [1, m], w.subarray(0, m))], { name: 'x', shape: [1, 1] }, 'y')));
  assert.equal(r2.layers[0]!.channels?.count, m);
});
