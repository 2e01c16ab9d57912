/* eslint-disable @typescript-eslint/no-explicit-any -- protobufjs toObject output is untyped JSON */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType } from '../../../src/core/onnx/model';
import { encodeModel, modelMessage, writeModel } from '../../../src/core/onnx/writer/writeModel';
import type { ModelSpec } from '../../../src/core/onnx/writer/modelSpec';
import { decodeModelProto, schemaTestOptions } from './onnxSchema';

const f32 = (v: number[]): Uint8Array => new Uint8Array(new Float32Array(v).buffer);

function kitchenSink(): ModelSpec {
  const lazyChunk = f32([1, 2, 3, 4]);
  return {
    irVersion: 9,
    opsetImports: [{ domain: '', version: 18 }, { domain: 'com.example', version: 1 }],
    producerName: 'pytorch',
    producerVersion: '2.3.0',
    domain: 'ai.test',
    modelVersion: 3,
    docString: 'doc',
    metadata: [{ key: 'k', value: 'v' }],
    graph: {
      name: 'main',
      docString: 'graph doc',
      nodes: [
        {
          opType: 'Conv', name: 'conv', inputs: ['x', 'w', ''], outputs: ['y'],
          attributes: { group: 2, kernel_shape: [3, 3], pads: [-1, 0, 0, 0], alpha: 0.5, one: { type: 'float', value: 1 }, mode: 'same', names: ['a', 'b'], scales: [0.5, 1.5] },
        },
        {
          opType: 'If', inputs: ['c'], outputs: ['z'], domain: '',
          attributes: {
            then_branch: { type: 'graph', value: { name: 'then', nodes: [{ opType: 'Identity', inputs: ['y'], outputs: ['t'] }], initializers: [], inputs: [], outputs: [{ name: 't', elemType: DataType.FLOAT }] } },
            else_branch: { type: 'graph', value: { name: 'else', nodes: [], initializers: [], inputs: [], outputs: [] } },
          },
        },
        { opType: 'Constant', inputs: [], outputs: ['k'], attributes: { value: { type: 'tensor', value: { dataType: DataType.FLOAT16, dims: [2], values: [1, -2] } } } },
        { opType: 'Constant', inputs: [], outputs: ['s'], attributes: { sparse_value: { type: 'sparse', value: { dims: [10], values: { dataType: DataType.FLOAT, dims: [1], values: [3] }, indices: { dataType: DataType.INT64, dims: [1], values: [7] } } } } },
        { opType: 'MyOp', domain: 'com.example', inputs: ['y'], outputs: ['q'] },
      ],
      initializers: [
        { name: 'w', dataType: DataType.FLOAT, dims: [2, 1, 1, 2], values: [0.25, -0.5, 1, 2] },
        { name: 'lazy', dataType: DataType.FLOAT, dims: [4], lazy: { byteLength: 16, chunks: () => [lazyChunk] } },
        { name: 'raw', dataType: DataType.UINT8, dims: [3], raw: new Uint8Array([1, 2, 3]) },
        { name: 'fd', dataType: DataType.FLOAT, dims: [2], typed: { field: 'float_data', values: [1.5, -3] } },
        { name: 'fd_unpacked', dataType: DataType.FLOAT, dims: [2], typed: { field: 'float_data', values: [1.5, -3], packed: false } },
        { name: 'i32', dataType: DataType.INT32, dims: [3], typed: { field: 'int32_data', values: [-1, 0, 70000] } },
        { name: 'i64', dataType: DataType.INT64, dims: [2], typed: { field: 'int64_data', values: [-5, 2 ** 40] } },
        { name: 'dd', dataType: DataType.DOUBLE, dims: [1], typed: { field: 'double_data', values: [0.1] } },
        { name: 'u64', dataType: DataType.UINT64, dims: [1], typed: { field: 'uint64_data', values: [2 ** 50] } },
        { name: 'str', dataType: DataType.STRING, dims: [2], typed: { field: 'string_data', values: ['ab', 'c'] } },
        { name: 'ext', dataType: DataType.FLOAT, dims: [1024], external: { location: 'w.bin', offset: 4096, length: 4096 } },
        { name: 'empty', dataType: DataType.FLOAT, dims: [0], empty: true },
      ],
      sparseInitializers: [{ dims: [4, 4], values: { name: 'sp', dataType: DataType.FLOAT, dims: [2], values: [1, 2] }, indices: { name: 'sp_idx', dataType: DataType.INT64, dims: [2, 2], values: [0, 1, 3, 3] } }],
      inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: ['batch', 2, null, 4] }, { name: 'c', elemType: DataType.BOOL, shape: [] }],
      outputs: [{ name: 'z', elemType: DataType.FLOAT }],
      valueInfo: [{ name: 'y', elemType: DataType.FLOAT, shape: [1], docString: 'vi' }],
    },
    functions: [{ name: 'MyOp', domain: 'com.example', inputs: ['a'], outputs: ['b'], attributes: ['alpha'], nodes: [{ opType: 'Relu', inputs: ['a'], outputs: ['b'] }], opsetImports: [{ domain: '', version: 18 }] }],
  };
}

test('every spec field lands in the ModelProto field protobufjs decodes it from', schemaTestOptions, () => {
  const m = decodeModelProto(encodeModel(kitchenSink()));
  assert.equal(m.irVersion, 9);
  assert.deepEqual(m.opsetImport, [{ domain: '', version: 18 }, { domain: 'com.example', version: 1 }]);
  assert.deepEqual([m.producerName, m.producerVersion, m.domain, m.modelVersion, m.docString], ['pytorch', '2.3.0', 'ai.test', 3, 'doc']);
  assert.deepEqual(m.metadataProps, [{ key: 'k', value: 'v' }]);
  const g = m.graph;
  assert.equal(g.name, 'main');
  assert.equal(g.docString, 'graph doc');
  const conv = g.node[0];
  assert.deepEqual(conv.input, ['x', 'w', '']);
  const attrs = Object.fromEntries(conv.attribute.map((a: any) => [a.name, a]));
  assert.deepEqual([attrs.group.type, attrs.group.i], [2, 2]);
  assert.deepEqual([attrs.kernel_shape.type, attrs.kernel_shape.ints], [7, [3, 3]]);
  assert.deepEqual(attrs.pads.ints, [-1, 0, 0, 0]);
  assert.deepEqual([attrs.alpha.type, attrs.alpha.f], [1, 0.5]);
  assert.deepEqual([attrs.one.type, attrs.one.f], [1, 1]);
  assert.deepEqual([attrs.mode.type, Buffer.from(attrs.mode.s).toString()], [3, 'same']);
  assert.deepEqual([attrs.names.type, attrs.names.strings.map((s: Uint8Array) => Buffer.from(s).toString())], [8, ['a', 'b']]);
  assert.deepEqual([attrs.scales.type, attrs.scales.floats], [6, [0.5, 1.5]]);
  assert.deepEqual(Object.keys(attrs), ['group', 'kernel_shape', 'pads', 'alpha', 'one', 'mode', 'names', 'scales']);
  const ifNode = g.node[1];
  assert.equal(ifNode.attribute[0].type, 5);
  assert.equal(ifNode.attribute[0].g.name, 'then');
  assert.equal(ifNode.attribute[0].g.node[0].opType, 'Identity');
  const k = g.node[2].attribute[0];
  assert.deepEqual([k.type, k.t.dataType, k.t.dims, Buffer.from(k.t.rawData).toString('hex')], [4, 10, [2], '003c00c0']);
  const sp = g.node[3].attribute[0];
  assert.equal(sp.type, 11);
  assert.deepEqual(sp.sparseTensor.dims, [10]);
  assert.equal(g.node[4].domain, 'com.example');

  const init = Object.fromEntries(g.initializer.map((t: any) => [t.name, t]));
  assert.deepEqual(Array.from(new Float32Array(new Uint8Array(init.w.rawData).buffer)), [0.25, -0.5, 1, 2]);
  assert.deepEqual(init.w.dims, [2, 1, 1, 2]);
  assert.deepEqual(Array.from(new Float32Array(new Uint8Array(init.lazy.rawData).buffer)), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(init.raw.rawData), [1, 2, 3]);
  assert.deepEqual(init.fd.floatData, [1.5, -3]);
  assert.deepEqual(init.fd_unpacked.floatData, [1.5, -3]);
  assert.deepEqual(init.i32.int32Data, [-1, 0, 70000]);
  assert.deepEqual(init.i64.int64Data, [-5, 2 ** 40]);
  assert.deepEqual(init.dd.doubleData, [0.1]);
  assert.deepEqual(init.u64.uint64Data, [2 ** 50]);
  assert.deepEqual(init.str.stringData.map((s: Uint8Array) => Buffer.from(s).toString()), ['ab', 'c']);
  assert.equal(init.ext.dataLocation, 1);
  assert.deepEqual(init.ext.externalData, [{ key: 'location', value: 'w.bin' }, { key: 'offset', value: '4096' }, { key: 'length', value: '4096' }]);
  assert.equal(init.ext.rawData, undefined);
  assert.deepEqual(init.empty.dims, [0]);
  assert.equal(init.empty.rawData, undefined);

  assert.deepEqual(g.sparseInitializer[0].dims, [4, 4]);
  assert.equal(g.sparseInitializer[0].indices.name, 'sp_idx');
  const dims = g.input[0].type.tensorType.shape.dim;
  assert.deepEqual(dims, [{ dimParam: 'batch' }, { dimValue: 2 }, {}, { dimValue: 4 }]);
  assert.equal(g.input[1].type.tensorType.elemType, 9);
  assert.deepEqual(g.input[1].type.tensorType.shape, { dim: [] }, 'a scalar has a shape with no dims');
  assert.equal(g.output[0].type.tensorType.shape, undefined, 'no shape means unknown rank');
  assert.equal(g.valueInfo[0].docString, 'vi');
  const f = m.functions[0];
  assert.deepEqual([f.name, f.domain, f.input, f.output, f.attribute, f.node[0].opType], ['MyOp', 'com.example', ['a'], ['b'], ['alpha'], 'Relu']);
});

test('streaming writeModel emits exactly the encodeModel bytes, in bounded chunks', () => {
  const spec = kitchenSink();
  const whole = encodeModel(spec);
  const chunks: Uint8Array[] = [];
  const n = writeModel(spec, (c) => chunks.push(c.slice()));
  assert.equal(n, whole.length);
  assert.equal(modelMessage(spec).byteLength, whole.length);
  assert.deepEqual(Buffer.concat(chunks), Buffer.from(whole));
  assert.ok(chunks.every((c) => c.length <= 1 << 16));
});

test('a 3 GiB lazy tensor is sized and streamed without holding it in memory', () => {
  const chunk = new Uint8Array(1 << 24);
  const total = 3 * 2 ** 30;
  const spec: ModelSpec = {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    graph: {
      name: 'big', nodes: [], inputs: [], outputs: [],
      initializers: [{ name: 'w', dataType: DataType.FLOAT, dims: [total / 4], lazy: { byteLength: total, *chunks() { for (let i = 0; i < total / chunk.length; i++) yield chunk; } } }],
    },
  };
  let bytes = 0;
  let header: Uint8Array | undefined;
  const n = writeModel(spec, (c) => {
    header ??= c.slice(0, 32);
    bytes += c.length;
  });
  assert.equal(n, bytes);
  assert.ok(n > total && n < total + 64);
  // ModelProto.graph (field 7) length prefix is a 5-byte varint above 2^32: no 32-bit wrap.
  const h = header!;
  assert.equal(h[2], 0x3a);
  let len = 0;
  for (let i = 0, mul = 1; i < 5; i++, mul *= 128) len += (h[3 + i]! & 0x7f) * mul;
  assert.equal(len, n - 3 - 5 - 6, 'graph, then the 6-byte opset_import');
});
