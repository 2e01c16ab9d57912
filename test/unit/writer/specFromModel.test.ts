import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesSource, NO_EXTERNAL_DATA, type ExternalDataHost } from '../../../src/core/host';
import { DataType } from '../../../src/core/onnx/model';
import { parseModel } from '../../../src/core/onnx/parseModel';
import { tensorValueChunks } from '../../../src/core/onnx/tensorValues';
import { encodeModel } from '../../../src/core/onnx/writer/writeModel';
import { specFromModel } from '../../../src/core/onnx/writer/specFromModel';
import type { ModelSpec } from '../../../src/core/onnx/writer/modelSpec';
import { buildCnn } from '../../support/modelBuilders';
import { assertSameModel } from './roundTripSupport';

function spec(): ModelSpec {
  return {
    irVersion: 9,
    opsetImports: [{ domain: '', version: 18 }, { domain: 'com.example', version: 1 }],
    producerName: 'p', producerVersion: '1', domain: 'd', modelVersion: 2, docString: 'doc',
    metadata: [{ key: 'k', value: 'v' }],
    graph: {
      name: 'main',
      nodes: [
        { opType: 'Conv', name: 'c', inputs: ['x', 'w'], outputs: ['y'], docString: 'nd', attributes: { group: 1, pads: [0, 0, 0, 0], a: 0.5, s: 'same', ss: ['a'], fs: [0.5, 2.5] } },
        { opType: 'Constant', inputs: [], outputs: ['k'], attributes: { value: { type: 'tensor', value: { dataType: DataType.FLOAT16, dims: [2], values: [1, -2] } } } },
        { opType: 'Constant', inputs: [], outputs: ['kf'], attributes: { value_floats: [0.5, 1.5] } },
        { opType: 'If', inputs: ['c'], outputs: ['z'], attributes: { then_branch: { type: 'graph', value: { name: 't', nodes: [{ opType: 'Constant', inputs: [], outputs: ['inner'], attributes: { value: { type: 'tensor', value: { dataType: DataType.FLOAT, dims: [3], values: [1, 2, 3] } } } }], initializers: [{ name: 'sub_w', dataType: DataType.INT8, dims: [2], values: [-1, 1] }], inputs: [], outputs: [{ name: 'inner', elemType: DataType.FLOAT, shape: [3] }] } } } },
        { opType: 'SequenceEmpty', inputs: [], outputs: ['seq'], attributes: { dtype: 1 } },
      ],
      initializers: [
        { name: 'w', dataType: DataType.FLOAT, dims: [2, 1, 1, 2], values: [0.25, -0.5, 1, NaN] },
        { name: 'h', dataType: DataType.BFLOAT16, dims: [3], values: [1, 2, 3] },
        { name: 'fd', dataType: DataType.FLOAT, dims: [2], typed: { field: 'float_data', values: [1.5, -3] } },
        { name: 'fdu', dataType: DataType.FLOAT, dims: [2], typed: { field: 'float_data', values: [1.5, -3], packed: false } },
        { name: 'i32', dataType: DataType.FLOAT16, dims: [2], typed: { field: 'int32_data', values: [0x3c00, 0xc000], packed: false } },
        { name: 'i64', dataType: DataType.INT64, dims: [2], typed: { field: 'int64_data', values: [-5, 2 ** 40] } },
        { name: 'dd', dataType: DataType.DOUBLE, dims: [1], typed: { field: 'double_data', values: [0.1], packed: false } },
        { name: 'ext', dataType: DataType.FLOAT, dims: [4], external: { location: 'w.bin', offset: 16, length: 16 } },
        { name: 'empty', dataType: DataType.FLOAT, dims: [0], empty: true },
      ],
      sparseInitializers: [{ dims: [4, 4], values: { name: 'sp', dataType: DataType.FLOAT, dims: [2], values: [1, 2] }, indices: { name: 'sp_idx', dataType: DataType.INT64, dims: [2], values: [0, 15] } }],
      inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: ['batch', 2, null, 4] }, { name: 'c', elemType: DataType.BOOL, shape: [] }],
      outputs: [{ name: 'z', elemType: DataType.FLOAT }, { name: 'seq', type: { kind: 'sequence', elem: { kind: 'tensor', elemType: DataType.FLOAT, shape: undefined } } }],
      valueInfo: [{ name: 'y', elemType: DataType.FLOAT, shape: [1], docString: 'vi' }],
    },
    functions: [{ name: 'MyOp', domain: 'com.example', overload: 'o1', inputs: ['a'], outputs: ['b'], attributes: ['alpha'], nodes: [{ opType: 'Relu', inputs: ['a'], outputs: ['b'] }], opsetImports: [{ domain: '', version: 18 }] }],
  };
}

const extFile = new Uint8Array(new Float32Array([9, 9, 9, 9, 1, 2, 3, 4]).buffer);
const host: ExternalDataHost = {
  open(location) {
    assert.equal(location, 'w.bin');
    return { location, source: bytesSource(extFile) };
  },
};

test('parse → specFromModel → writeModel reproduces a writer-made model byte for byte', () => {
  const original = encodeModel(spec());
  const model = parseModel(bytesSource(original));
  const again = encodeModel(specFromModel(model, { model: bytesSource(original), external: host }));
  assert.deepEqual(Buffer.from(again).toString('hex'), Buffer.from(original).toString('hex'));
});

test('round trip keeps structure and bit-identical tensor bytes; external data keep / rebase / inline', () => {
  const original = encodeModel(spec());
  const ctx = { model: bytesSource(original), external: host };
  const model = parseModel(ctx.model);

  const kept = encodeModel(specFromModel(model, ctx));
  const keptCtx = { model: bytesSource(kept), external: host };
  const n = assertSameModel(model, ctx, parseModel(keptCtx.model), keptCtx, 'keep');
  assert.ok(n > 0);

  const rebased = parseModel(bytesSource(encodeModel(specFromModel(model, ctx, { externalData: { rebase: (l) => `sub/${l}` } }))));
  const ext = rebased.graph.initializers.find((t) => t.name === 'ext')!;
  assert.deepEqual(ext.storage, { kind: 'external', location: 'sub/w.bin', offset: 16, length: 16, checksum: undefined });

  const inlinedBytes = encodeModel(specFromModel(model, ctx, { externalData: 'inline' }));
  const inlined = parseModel(bytesSource(inlinedBytes));
  const t = inlined.graph.initializers.find((x) => x.name === 'ext')!;
  assert.equal(t.storage.kind, 'raw');
  const values = [...tensorValueChunks(t, { model: bytesSource(inlinedBytes), external: NO_EXTERNAL_DATA })].flatMap((c) => Array.from(c));
  assert.deepEqual(values, [1, 2, 3, 4]);
});

test('an edited spec (extra graph output, as the probe does) re-serializes with payloads intact', () => {
  const built = buildCnn({ inChannels: 3, channels: [4], classes: 2 });
  const ctx = { model: bytesSource(built.bytes), external: NO_EXTERNAL_DATA };
  const model = parseModel(ctx.model);
  const s = specFromModel(model, ctx);
  const edited: ModelSpec = { ...s, graph: { ...s.graph, outputs: [...s.graph.outputs, { name: 'relu0.out', elemType: DataType.FLOAT }] } };
  const bytes = encodeModel(edited);
  const again = parseModel(bytesSource(bytes));
  assert.deepEqual(again.graph.outputs.map((o) => o.name), ['output', 'relu0.out']);
  const w = again.graph.initializers.find((t) => t.name === 'conv0.weight')!;
  const values = Float64Array.from([...tensorValueChunks(w, { model: bytesSource(bytes), external: NO_EXTERNAL_DATA })].flatMap((c) => Array.from(c)));
  assert.deepEqual(Array.from(values), Array.from(built.tensors[0]!.values));
});
