// Structurally hostile graphs: recursive / deeply nested local functions, huge fan-in nodes,
// long Identity chains and cycles, weight chains that loop, broken control flow, absurd
// attributes on Conv / Gemm / LSTM / DequantizeLinear / Gather. Every walk (reader, graph index,
// activation search, weight uses, fine-tune head detection) must terminate without a stack
// overflow, and every format must come out valid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType } from '../../../src/core/onnx/model';
import type { FunctionSpec, GraphSpec, ModelSpec, NodeSpec, TensorSpec } from '../../../src/core/onnx/writer/modelSpec';
import { allStrings, f32, floatTensor, graph, model, sweep, tempDir, writeModelFile, type SweepResult } from './harness';

interface Case {
  readonly name: string;
  readonly spec: () => ModelSpec;
  readonly maxMs?: number;
  /** Extra checks on the sweep's outputs. */
  readonly check?: (r: SweepResult) => void;
}

const conv = (w: string, attrs: NodeSpec['attributes'] = {}, input = 'x', output = 'c'): NodeSpec => ({ opType: 'Conv', name: `conv_${w}`, inputs: [input, w], outputs: [output], attributes: attrs });
const relu = (i: string, o: string): NodeSpec => ({ opType: 'Relu', inputs: [i], outputs: [o] });
const i64 = (name: string, dims: readonly number[], values: readonly bigint[]): TensorSpec => ({ name, dataType: DataType.INT64, dims, raw: new Uint8Array(BigInt64Array.from(values).buffer) });
const i8 = (name: string, dims: readonly number[], values: readonly number[]): TensorSpec => ({ name, dataType: DataType.INT8, dims, raw: new Uint8Array(Int8Array.from(values).buffer) });

function fn(name: string, nodes: readonly NodeSpec[], inputs = ['a', 'w'], outputs = ['o']): FunctionSpec {
  return { name, domain: 'local', inputs, outputs, nodes, opsetImports: [{ domain: '', version: 17 }, { domain: 'local', version: 1 }] };
}
const call = (f: string, inputs: readonly string[], outputs: readonly string[]): NodeSpec => ({ opType: f, domain: 'local', inputs, outputs, name: `call_${f}` });

const withLocal = (g: GraphSpec, functions: readonly FunctionSpec[]): ModelSpec => model(g, { functions, opsetImports: [{ domain: '', version: 17 }, { domain: 'local', version: 1 }] });

function reportOk(r: SweepResult): Record<string, unknown> {
  for (const [format, run] of Object.entries(r.analyze)) assert.notEqual(run.code, 2, `${format} refused the whole model: ${run.stderr}`);
  assert.ok(r.report, 'json report');
  return r.report;
}

const CASES: Case[] = [
  {
    name: 'local function calling itself',
    spec: () => withLocal(graph([call('F', ['x', 'W'], ['y'])], [floatTensor('W', [4, 4])]), [fn('F', [{ opType: 'MatMul', inputs: ['a', 'w'], outputs: ['m'] }, call('F', ['m', 'w'], ['o'])])]),
  },
  {
    name: 'local functions calling each other (F -> G -> F)',
    spec: () => withLocal(graph([call('F', ['x', 'W'], ['y'])], [floatTensor('W', [4, 4])]), [
      fn('F', [{ opType: 'Gemm', inputs: ['a', 'w'], outputs: ['m'] }, call('G', ['m', 'w'], ['o'])]),
      fn('G', [relu('a', 'r'), call('F', ['r', 'w'], ['o'])]),
    ]),
  },
  {
    name: 'local function chain 1000 deep',
    spec: () => {
      const fns: FunctionSpec[] = [];
      for (let i = 0; i < 1000; i++) fns.push(fn(`F${i}`, i === 999 ? [{ opType: 'MatMul', inputs: ['a', 'w'], outputs: ['o'] }] : [call(`F${i + 1}`, ['a', 'w'], ['o'])]));
      return withLocal(graph([call('F0', ['x', 'W'], ['y'])], [floatTensor('W', [4, 4])]), fns);
    },
  },
  {
    name: 'function with a Constant weight, called from two places',
    spec: () => withLocal(graph([call('F', ['x', 'W'], ['h']), call('F', ['h', 'W'], ['y'])], [floatTensor('W', [4, 4])]), [
      fn('F', [{ opType: 'Constant', outputs: ['k'], inputs: [], attributes: { value: { type: 'tensor', value: floatTensor('', [4, 4]) } } }, { opType: 'MatMul', inputs: ['a', 'k'], outputs: ['m'] }, { opType: 'Add', inputs: ['m', 'w'], outputs: ['o'] }]),
    ]),
  },
  {
    name: 'node with 100k inputs',
    spec: () => {
      const ins = Array.from({ length: 100_000 }, (_, i) => (i % 2 === 0 ? 'x' : 'W'));
      return model(graph([{ opType: 'Sum', inputs: ins, outputs: ['y'] }], [floatTensor('W', [1, 4])]));
    },
  },
  {
    name: '200k tiny nodes (Relu chain) after a Gemm',
    maxMs: 60_000,
    spec: () => {
      const nodes: NodeSpec[] = [{ opType: 'Gemm', inputs: ['x', 'W'], outputs: ['t0'], attributes: { transB: 1 } }];
      for (let i = 0; i < 200_000; i++) nodes.push(relu(`t${i}`, i === 199_999 ? 'y' : `t${i + 1}`));
      return model(graph(nodes, [floatTensor('W', [4, 4])]));
    },
  },
  {
    name: 'weight through a 100k Identity chain into Conv, output cycling back',
    maxMs: 60_000,
    spec: () => {
      const nodes: NodeSpec[] = [];
      for (let i = 0; i < 100_000; i++) nodes.push({ opType: 'Identity', inputs: [i === 0 ? 'W' : `w${i}`], outputs: [`w${i + 1}`] });
      nodes.push(conv('w100000', { kernel_shape: [3, 3] }));
      nodes.push(relu('c', 'y'));
      // An activation chain that feeds itself through Identities (a cycle of length 1000).
      for (let i = 0; i < 1000; i++) nodes.push({ opType: 'Identity', inputs: [i === 0 ? 'c' : `loop${i}`], outputs: [i === 999 ? 'c' : `loop${i + 1}`] });
      return model(graph(nodes, [floatTensor('W', [8, 3, 3, 3])], { inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: [1, 3, 8, 8] }] }));
    },
  },
  {
    name: '200k independent nodes all ready at once (topological order stays n log n)',
    maxMs: 60_000,
    spec: () => {
      const nodes: NodeSpec[] = [{ opType: 'Gemm', inputs: ['x', 'W'], outputs: ['t'], attributes: { transB: 1 } }];
      for (let i = 0; i < 200_000; i++) nodes.push(relu('t', i === 0 ? 'y' : `o${i}`));
      return model(graph(nodes, [floatTensor('W', [4, 4])]));
    },
  },
  {
    name: 'one node with 50k inputs and 50k outputs',
    maxMs: 30_000,
    spec: () => {
      const n = 50_000;
      return model(graph([{ opType: 'Split', inputs: Array.from({ length: n }, (_, i) => (i === 0 ? 'x' : `W`)), outputs: Array.from({ length: n }, (_, i) => (i === 0 ? 'y' : `s${i}`)) }], [floatTensor('W', [4, 4])]));
    },
  },
  {
    name: 'weight reshaped to rank 100k, then Unsqueeze / Squeeze with 100k axes',
    maxMs: 30_000,
    spec: () => {
      const n = 100_000;
      return model(graph([
        { opType: 'Reshape', inputs: ['W', 'shape'], outputs: ['r'] },
        { opType: 'Unsqueeze', inputs: ['r', 'axes'], outputs: ['u'] },
        { opType: 'Squeeze', inputs: ['u', 'axes'], outputs: ['s'] },
        { opType: 'Transpose', inputs: ['s'], outputs: ['t'] },
        { opType: 'Flatten', inputs: ['t'], outputs: ['f'], attributes: { axis: -50_000 } },
        { opType: 'MatMul', inputs: ['x', 'f'], outputs: ['y'] },
      ], [
        floatTensor('W', [16]),
        i64('shape', [n], Array.from({ length: n }, (_, i) => (i === 0 ? 16n : 1n))),
        i64('axes', [n], Array.from({ length: n }, (_, i) => BigInt(i + 1))),
      ]));
    },
  },
  {
    name: 'rank-100k weight on Conv, MatMul and a default Transpose',
    maxMs: 30_000,
    spec: () => {
      const dims = new Array<number>(100_000).fill(1);
      return model(graph([
        conv('W', {}, 'x', 'a'),
        { opType: 'Transpose', inputs: ['W'], outputs: ['wt'] },
        { opType: 'MatMul', inputs: ['a', 'wt'], outputs: ['y'] },
      ], [floatTensor('W', dims, [0.5])]));
    },
  },
  {
    name: '20k layers, every one with findings (report size and format time)',
    maxMs: 60_000,
    spec: () => {
      const n = 20_000;
      const nodes: NodeSpec[] = [];
      const inits: TensorSpec[] = [];
      for (let i = 0; i < n; i++) {
        nodes.push({ opType: 'Gemm', name: `g${i}`, inputs: [i === 0 ? 'x' : `h${i}`, `W${i}`, `B${i}`], outputs: [i === n - 1 ? 'y' : `h${i + 1}`], attributes: { transB: 1 } });
        inits.push(floatTensor(`W${i}`, [4, 4], new Float32Array(16).fill(i % 2 === 0 ? 0 : Number.NaN)), floatTensor(`B${i}`, [4], new Float32Array(4).fill(1)));
      }
      return model(graph(nodes, inits));
    },
  },
  {
    name: 'sparse initializers: [2^26, 2^26] dense from 1 value, tied Gather/MatMul, 2-D coords, duplicates',
    check: (r) => {
      const report = reportOk(r);
      const tensors = report.tensors as { name: string; skipped: string | null }[];
      const layers = report.layers as { weight: string }[];
      const huge = [...tensors.filter((t) => t.name === 'HUGE').map((t) => t.skipped ?? ''), ...allStrings(report.findings).filter((m) => m.includes('"HUGE"'))];
      assert.ok(huge.some((m) => /dense .* not computed/.test(m)) || layers.some((l) => l.weight === 'HUGE'), `HUGE named: ${huge.join(' / ')}`);
    },
    spec: () => {
      const vals = (name: string, v: number[]): TensorSpec => ({ name, dataType: DataType.FLOAT, dims: [v.length], raw: f32(v) });
      return model(graph([
        { opType: 'MatMul', inputs: ['x', 'HUGE'], outputs: ['a'] },
        { opType: 'Gather', inputs: ['EMB', 'idx'], outputs: ['e'] },
        { opType: 'MatMul', inputs: ['a', 'EMB'], outputs: ['b'], attributes: {} },
        conv('CW', {}, 'b', 'c'),
        { opType: 'Gemm', inputs: ['c', 'DUP'], outputs: ['y'], attributes: { transB: 1 } },
      ], [i64('idx', [2], [0n, 3n])], {
        sparseInitializers: [
          { dims: [2 ** 26, 2 ** 26], values: vals('HUGE', [1]), indices: i64('HUGE_i', [1], [5n]) },
          { dims: [4, 4], values: vals('EMB', [1, 2, 3]), indices: i64('EMB_i', [3, 2], [0n, 0n, 1n, 1n, 3n, 3n]) },
          { dims: [8, 3, 3, 3], values: vals('CW', [1, 2]), indices: i64('CW_i', [2, 4], [0n, 0n, 0n, 0n, 9n, 0n, 0n, 0n]) },
          { dims: [4, 4], values: vals('DUP', [1, 2, 3]), indices: i64('DUP_i', [3], [2n, 2n, 2n]) },
        ],
      }));
    },
  },
  {
    name: 'Transpose / Reshape cycle between two weights',
    spec: () => model(graph([
      { opType: 'Transpose', inputs: ['A'], outputs: ['B'] },
      { opType: 'Reshape', inputs: ['B', 'shape'], outputs: ['A'] },
      { opType: 'MatMul', inputs: ['x', 'A'], outputs: ['m'] },
      { opType: 'MatMul', inputs: ['m', 'B'], outputs: ['y'] },
    ], [floatTensor('A', [4, 4]), floatTensor('B', [4, 4]), i64('shape', [2], [4n, 4n])])),
  },
  {
    name: 'Identity self loop on a weight name',
    spec: () => model(graph([{ opType: 'Identity', inputs: ['W'], outputs: ['W'] }, { opType: 'MatMul', inputs: ['x', 'W'], outputs: ['y'] }], [floatTensor('W', [4, 4])])),
  },
  {
    name: 'If with missing branches and Loop/Scan bodies referencing missing outer names',
    spec: () => {
      const body = (w: string): GraphSpec => ({ name: 'body', nodes: [{ opType: 'MatMul', inputs: ['not_defined_anywhere', w], outputs: ['bo'] }, { opType: 'Relu', inputs: ['ghost'], outputs: ['bo2'] }], initializers: [floatTensor(w, [4, 4])], inputs: [], outputs: [{ name: 'bo' }] });
      return model(graph([
        { opType: 'If', inputs: ['cond'], outputs: ['i'] },
        { opType: 'If', inputs: ['cond'], outputs: ['i2'], attributes: { then_branch: { type: 'graph', value: body('TW') } } },
        { opType: 'Loop', inputs: ['', 'cond', 'x'], outputs: ['l'], attributes: { body: { type: 'graph', value: body('LW') } } },
        { opType: 'Scan', inputs: ['x'], outputs: ['s'], attributes: { body: { type: 'graph', value: body('SW') }, num_scan_inputs: 1 } },
        { opType: 'Loop', inputs: ['', 'cond', 'x'], outputs: ['y'] },
      ], [floatTensor('cond', [1])]));
    },
  },
  {
    name: 'opset_import with 10k entries',
    spec: () => model(graph([{ opType: 'MatMul', inputs: ['x', 'W'], outputs: ['y'] }], [floatTensor('W', [4, 4])]), {
      opsetImports: [{ domain: '', version: 17 }, ...Array.from({ length: 10_000 }, (_, i) => ({ domain: `d${i}`, version: i }))],
    }),
  },
  {
    name: 'graph with 0 nodes but initializers, one named like the graph output',
    spec: () => model(graph([], [floatTensor('W', [4, 4]), floatTensor('y', [4])])),
  },
  {
    name: 'Conv group 0, negative, and not dividing channels',
    spec: () => model(graph([
      conv('W0', { group: 0 }, 'x', 'a'),
      conv('W1', { group: -3 }, 'a', 'b'),
      conv('W2', { group: 5 }, 'b', 'c2'),
      conv('W3', { group: 2 ** 40 }, 'c2', 'y'),
    ], [floatTensor('W0', [8, 3, 3, 3]), floatTensor('W1', [8, 8, 3, 3]), floatTensor('W2', [8, 3, 3, 3]), floatTensor('W3', [6, 4, 1, 1])])),
  },
  {
    name: 'Gemm transB = 7, transA = -1, alpha NaN',
    spec: () => model(graph([{ opType: 'Gemm', inputs: ['x', 'W', 'b'], outputs: ['y'], attributes: { transB: 7, transA: -1, alpha: { type: 'float', value: Number.NaN } } }], [floatTensor('W', [4, 6]), floatTensor('b', [6])])),
  },
  {
    name: 'weights with a 0 dim and rank-0 weights on Conv / Gemm / MatMul / ConvTranspose / Gather',
    spec: () => model(graph([
      conv('Z', {}, 'x', 'a'),
      { opType: 'Gemm', inputs: ['a', 'S', 'S2'], outputs: ['b'] },
      { opType: 'MatMul', inputs: ['b', 'S3'], outputs: ['c'] },
      { opType: 'ConvTranspose', inputs: ['c', 'S4'], outputs: ['d'] },
      conv('S5', {}, 'd', 'e'),
      { opType: 'Gather', inputs: ['S6', 'e'], outputs: ['f'] },
      { opType: 'Gemm', inputs: ['f', 'Z2'], outputs: ['y'], attributes: { transB: 1 } },
    ], [
      { name: 'Z', dataType: DataType.FLOAT, dims: [0, 3, 3, 3], raw: new Uint8Array(0) },
      floatTensor('S', [], [0.5]), floatTensor('S2', [], [0]), floatTensor('S3', [], [2]), floatTensor('S4', [], [1]), floatTensor('S5', [1], [3]), floatTensor('S6', [], [1]),
      { name: 'Z2', dataType: DataType.FLOAT, dims: [4, 0], raw: new Uint8Array(0) },
    ])),
  },
  {
    name: 'dims of 2^31 (no data) and [2^31, 0] on a Conv',
    spec: () => model(graph([conv('W', {}, 'x', 'a'), { opType: 'MatMul', inputs: ['a', 'V'], outputs: ['y'] }], [
      { name: 'W', dataType: DataType.FLOAT, dims: [2 ** 31, 3, 3, 3], raw: f32([1, 2, 3]) },
      { name: 'V', dataType: DataType.FLOAT, dims: [2 ** 31, 0], raw: new Uint8Array(0) },
    ])),
  },
  {
    name: 'LSTM / GRU / RNN with hidden_size inconsistent with W and R',
    spec: () => model(graph([
      { opType: 'LSTM', inputs: ['x', 'W', 'R', 'B'], outputs: ['y1'], attributes: { hidden_size: 7 } },
      { opType: 'GRU', inputs: ['x', 'GW', 'GR'], outputs: ['y2'], attributes: { hidden_size: 0 } },
      { opType: 'RNN', inputs: ['x', 'RW', 'RR'], outputs: ['y'], attributes: { hidden_size: -4, direction: 'sideways' } },
    ], [floatTensor('W', [1, 16, 4]), floatTensor('R', [1, 16, 4]), floatTensor('B', [1, 5]), floatTensor('GW', [2, 9, 4]), floatTensor('GR', [1, 10, 3]), floatTensor('RW', [1, 5, 4]), floatTensor('RR', [5, 5])])),
  },
  {
    name: 'DequantizeLinear: wrong-shape scale, zero scale, NaN/Inf scale, block_size 0 / negative, axis out of range',
    spec: () => {
      const q = (name: string): TensorSpec => i8(name, [4, 4], Array.from({ length: 16 }, (_, i) => i - 8));
      const dq = (w: string, s: string, attrs: NodeSpec['attributes'] = {}, zp?: string): NodeSpec => ({ opType: 'DequantizeLinear', inputs: zp ? [w, s, zp] : [w, s], outputs: [`${w}_f`], attributes: attrs });
      return model(graph([
        dq('Q1', 'S_wrong'), dq('Q2', 'S_zero'), dq('Q3', 'S_nan', { axis: 0 }), dq('Q4', 'S_blk', { block_size: 0, axis: 1 }), dq('Q5', 'S_blk', { block_size: -2, axis: 1 }), dq('Q6', 'S_axis', { axis: 9 }), dq('Q7', 'S_zero', {}, 'ZP_wrong'),
        { opType: 'MatMul', inputs: ['x', 'Q1_f'], outputs: ['m1'] }, { opType: 'MatMul', inputs: ['m1', 'Q2_f'], outputs: ['m2'] }, { opType: 'MatMul', inputs: ['m2', 'Q3_f'], outputs: ['m3'] },
        { opType: 'MatMul', inputs: ['m3', 'Q4_f'], outputs: ['m4'] }, { opType: 'MatMul', inputs: ['m4', 'Q5_f'], outputs: ['m5'] }, { opType: 'MatMul', inputs: ['m5', 'Q6_f'], outputs: ['m6'] }, { opType: 'MatMul', inputs: ['m6', 'Q7_f'], outputs: ['y'] },
      ], [
        q('Q1'), q('Q2'), q('Q3'), q('Q4'), q('Q5'), q('Q6'), q('Q7'),
        floatTensor('S_wrong', [3], [0.1, 0.2, 0.3]), floatTensor('S_zero', [], [0]), floatTensor('S_nan', [4], [Number.NaN, Infinity, -Infinity, 0.1]),
        floatTensor('S_blk', [4, 2], [1, 1, 1, 1, 1, 1, 1, 1]), floatTensor('S_axis', [4], [1, 1, 1, 1]), i8('ZP_wrong', [5], [1, 2, 3, 4, 5]),
      ]));
    },
    check: (r) => {
      const report = reportOk(r);
      const skipped = allStrings(report).filter((s) => s.includes('inconsistent quantization parameters'));
      // A scale or zero point that does not fit the weight is named; no NaN values are invented for it.
      for (const name of ['S_wrong', 'S_blk', 'ZP_wrong']) assert.ok(skipped.some((s) => s.includes(`"${name}"`)), `${name} named: ${skipped.join(' / ')}`);
      const findings = report.findings as { code: string; tensor: string | null }[];
      for (const q of ['Q1', 'Q4', 'Q5', 'Q7']) assert.ok(!findings.some((f) => f.tensor === q && f.code === 'non-finite'), `${q}: no invented non-finite values`);
      // A NaN / Inf scale really makes NaN weights: that is reported.
      assert.ok(findings.some((f) => f.tensor === 'Q3' && /finite|nan/i.test(f.code)), 'Q3 (NaN scale) is flagged');
    },
  },
  {
    name: 'Gather with int indices initializer out of range and negative',
    spec: () => model(graph([{ opType: 'Gather', inputs: ['E', 'idx'], outputs: ['g'] }, { opType: 'Gather', inputs: ['E', 'idx2'], outputs: ['y'], attributes: { axis: 5 } }], [
      floatTensor('E', [10, 4]), i64('idx', [3], [0n, 99999999999n, -9223372036854775808n]), i64('idx2', [1], [9223372036854775807n]),
    ])),
  },
  {
    name: 'Einsum with hostile equations on weights',
    spec: () => model(graph([
      { opType: 'Einsum', inputs: ['x', 'W'], outputs: ['a'], attributes: { equation: 'ij,jk->ik,,->->' } },
      { opType: 'Einsum', inputs: ['a', 'W'], outputs: ['b'], attributes: { equation: '...' } },
      { opType: 'Einsum', inputs: ['b', 'W'], outputs: ['y'], attributes: { equation: 'bi,ij' + 'x'.repeat(100_000) } },
    ], [floatTensor('W', [4, 4])])),
  },
];

for (const c of CASES) {
  test(`structure: ${c.name}`, { timeout: 180_000 }, async () => {
    const t = tempDir();
    try {
      const path = writeModelFile(t.dir, c.spec());
      const r = await sweep(path, c.name, c.maxMs ?? 10_000);
      reportOk(r);
      c.check?.(r);
    } finally {
      t.done();
    }
  });
}

test('structure: prototype-named ops, domains, attributes, tensors and metadata keys', { timeout: 180_000 }, async () => {
  const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__'];
  const nodes: NodeSpec[] = [];
  const inits: TensorSpec[] = [];
  let prev = 'x';
  names.forEach((n, i) => {
    inits.push(floatTensor(n, [4, 4]));
    nodes.push({ opType: n, domain: i % 2 === 0 ? n : '', name: n, inputs: [prev, n], outputs: [`${n}_out`], attributes: { [n]: 1, alpha: n } });
    nodes.push({ opType: 'MatMul', name: `mm_${n}`, inputs: [`${n}_out`, n], outputs: [i === names.length - 1 ? 'y' : `${n}_mm`] });
    prev = `${n}_mm`;
  });
  const t = tempDir();
  try {
    const spec = model(graph(nodes, inits), { metadata: names.map((k) => ({ key: k, value: k })), opsetImports: [{ domain: '', version: 17 }, ...names.map((n) => ({ domain: n, version: 1 }))] });
    const path = writeModelFile(t.dir, spec);
    const r = await sweep(path, 'prototype names', 10_000, ['--activation', 'auto']);
    const report = reportOk(r);
    const layers = report.layers as { weight: string }[];
    for (const n of names) assert.ok(layers.some((l) => l.weight === n), `${n} reported as a layer weight`);
  } finally {
    t.done();
  }
});
