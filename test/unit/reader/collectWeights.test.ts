import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesSource, checkSparseTensor, collectWeights, computeTensorStats, DataType, NO_EXTERNAL_DATA, parseModel, resolveName, tensorValueChunks, type Graph } from '../../../src/core/index';
import { encodeModel } from '../../../src/core/onnx/writer/writeModel';
import type { GraphSpec, ModelSpec } from '../../../src/core/onnx/writer/modelSpec';

const F = DataType.FLOAT;
const thenBranch: GraphSpec = {
  name: 'then', inputs: [], outputs: [{ name: 'y1', elemType: F }],
  initializers: [{ name: 'inner_w', dataType: F, dims: [2], values: [5, 6] }],
  nodes: [
    { opType: 'Add', inputs: ['w', 'inner_w'], outputs: ['t1'] },
    { opType: 'Constant', inputs: [], outputs: ['c_sub'], attributes: { value_ints: [1, 2, 3] } },
    { opType: 'Identity', inputs: ['t1'], outputs: ['y1'] },
  ],
};
const elseBranch: GraphSpec = { name: 'else', inputs: [], outputs: [{ name: 'y2', elemType: F }], initializers: [{ name: 'w', dataType: F, dims: [2], values: [9, 9] }], nodes: [{ opType: 'Identity', inputs: ['w'], outputs: ['y2'] }] };

const spec: ModelSpec = {
  irVersion: 9,
  opsetImports: [{ domain: '', version: 17 }, { domain: 'local', version: 1 }],
  graph: {
    name: 'main',
    inputs: [{ name: 'x', elemType: F, shape: [2] }, { name: 'w', elemType: F, shape: [2] }, { name: 'cond', elemType: DataType.BOOL, shape: [] }],
    outputs: [{ name: 'out', elemType: F }],
    initializers: [{ name: 'w', dataType: F, dims: [2], values: [1, 2] }],
    sparseInitializers: [{ values: { name: 'sp', dataType: F, dims: [2], values: [7, 8] }, indices: { dataType: DataType.INT64, dims: [2], values: [1, 3] }, dims: [2, 2] }],
    nodes: [
      { opType: 'Constant', inputs: [], outputs: ['c_f'], name: 'cf', attributes: { value_float: { type: 'float', value: 0.5 } } },
      { opType: 'Constant', inputs: [], outputs: ['c_fs'], attributes: { value_floats: { type: 'floats', value: [1, 2.5] } } },
      { opType: 'Constant', inputs: [], outputs: ['c_i'], attributes: { value_int: 4 } },
      { opType: 'Constant', inputs: [], outputs: ['c_t'], attributes: { value: { type: 'tensor', value: { dataType: F, dims: [3], values: [1, 0, -1] } } } },
      { opType: 'Constant', inputs: [], outputs: ['c_sp'], attributes: { sparse_value: { type: 'sparse', value: { values: { dataType: F, dims: [1], values: [3] }, indices: { dataType: DataType.INT64, dims: [1], values: [9] }, dims: [4] } } } },
      { opType: 'If', inputs: ['cond'], outputs: ['out'], attributes: { then_branch: { type: 'graph', value: thenBranch }, else_branch: { type: 'graph', value: elseBranch } } },
    ],
  },
  functions: [{ name: 'f', domain: 'local', inputs: ['a'], outputs: ['b'], opsetImports: [{ domain: '', version: 17 }], nodes: [{ opType: 'Constant', inputs: [], outputs: ['k'], attributes: { value_float: { type: 'float', value: 2 } } }, { opType: 'Mul', inputs: ['a', 'k'], outputs: ['b'] }] }],
};

test('collectWeights finds initializers, sparse initializers, every Constant form, subgraph and function weights', () => {
  const bytes = encodeModel(spec);
  const src = bytesSource(bytes);
  const model = parseModel(src);
  const ctx = { model: src, external: NO_EXTERNAL_DATA };
  const weights = collectWeights(model);
  const summary = weights.map((w) => `${w.graphPath}|${w.origin}|${w.name}|${w.constantNode?.attribute ?? ''}`);
  assert.deepEqual(summary, [
    'graph|initializer|w|',
    'graph|sparse-initializer|sp|',
    'graph|constant-node|c_f|value_float',
    'graph|constant-node|c_fs|value_floats',
    'graph|constant-node|c_i|value_int',
    'graph|constant-node|c_t|value',
    'graph|constant-node|c_sp|sparse_value',
    'graph/node[5:If]/then_branch|initializer|inner_w|',
    'graph/node[5:If]/then_branch|constant-node|c_sub|value_ints',
    'graph/node[5:If]/else_branch|initializer|w|',
    'function:local.f|function-constant|k|value_float',
  ]);
  const values = (name: string) => [...tensorValueChunks(weights.find((w) => w.name === name)!.tensor, ctx)].flatMap((c) => [...c]);
  assert.deepEqual(values('c_f'), [0.5]);
  assert.deepEqual(values('c_fs'), [1, 2.5]);
  assert.deepEqual(values('c_i'), [4]);
  assert.deepEqual(values('c_sub'), [1, 2, 3]);
  assert.deepEqual(values('c_t'), [1, 0, -1]);
  assert.equal(weights.find((w) => w.name === 'c_i')!.tensor.dataType, DataType.INT64);
  assert.deepEqual(weights.find((w) => w.name === 'c_f')!.tensor.dims, []);
  assert.equal(computeTensorStats(tensorValueChunks(weights[0]!.tensor, ctx)).mean, 1.5);
  const sp = weights.find((w) => w.name === 'sp')!;
  assert.deepEqual(sp.sparse?.dims, [2, 2]);
  assert.equal(checkSparseTensor(sp.sparse!, ctx), undefined);
  const badSparse = weights.find((w) => w.name === 'c_sp')!;
  assert.equal(checkSparseTensor(badSparse.sparse!, ctx)?.rule, 'sparse-index-out-of-range');
});

test('resolveName: inner graph first, then parents; an initializer shadows a same-named graph input', () => {
  const model = parseModel(bytesSource(encodeModel(spec)));
  const ifNode = model.graph.nodes[5]!;
  const sub = (name: string) => ifNode.attributes.find((a) => a.name === name)!.value as { type: 'graph'; value: Graph };
  const then = sub('then_branch').value;
  const els = sub('else_branch').value;
  assert.equal(then.parent, model.graph);
  const outer = resolveName(then, 'w');
  assert.equal(outer?.kind, 'initializer');
  assert.equal(outer?.graph, model.graph);
  assert.equal(resolveName(els, 'w')?.graph, els);
  assert.equal(resolveName(then, 'inner_w')?.graph, then);
  assert.equal(resolveName(then, 'x')?.kind, 'input');
  assert.equal(resolveName(model.graph, 'c_t')?.kind, 'node-output');
  assert.equal(resolveName(model.graph, 'inner_w'), undefined);
  assert.deepEqual(model.warnings, []);
});

test('model warnings: duplicates, missing references, cycles, empty names, odd opsets', () => {
  const bad: ModelSpec = {
    irVersion: 1 << 30, opsetImports: [{ domain: '', version: -5 }],
    graph: {
      name: 'g', inputs: [], outputs: [],
      initializers: [{ name: 'w', dataType: F, dims: [1], values: [1] }, { name: 'w', dataType: F, dims: [1], values: [2] }, { name: '', dataType: F, dims: [1], values: [3] }],
      nodes: [
        { opType: 'Add', inputs: ['b', 'w'], outputs: ['a'] },
        { opType: 'Relu', inputs: ['a'], outputs: ['b'] },
        { opType: 'Add', inputs: ['does_not_exist', 'w'], outputs: ['c'] },
      ],
    },
  };
  const codes = parseModel(bytesSource(encodeModel(bad))).warnings.map((w) => w.code).sort();
  assert.deepEqual(codes, ['duplicate-initializer', 'empty-initializer-name', 'graph-cycle', 'missing-reference', 'odd-ir-version', 'odd-opset']);
});
