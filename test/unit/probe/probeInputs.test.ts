import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSource } from '../../../src/core/host';
import { DataType } from '../../../src/core/onnx/model';
import { parseModel } from '../../../src/core/onnx/parseModel';
import { encodeModel } from '../../../src/core/onnx/writer/writeModel';
import type { ModelSpec } from '../../../src/core/onnx/writer/modelSpec';
import { float16Table } from '../../../src/core/onnx/floatTables';
import { generateFeeds, planInputs, ProbeInputError } from '../../../src/core/probe/probeInputs';
import { DEFAULT_PROBE_OPTIONS } from '../../../src/core/probe/probeTypes';
import { seededRandom } from '../../../src/core/probe/seededRandom';

const O = DEFAULT_PROBE_OPTIONS;

function parse(spec: ModelSpec) {
  return parseModel(bytesSource(encodeModel(spec)));
}

/** ids [batch, seq] → Cast → Gather over a 1000×16 table; image [N,3,H,W]; mask; fp16 features; a defaulted input. */
const spec: ModelSpec = {
  irVersion: 8,
  opsetImports: [{ domain: '', version: 17 }],
  graph: {
    name: 'g',
    nodes: [
      { opType: 'Cast', inputs: ['ids'], outputs: ['ids32'], attributes: { to: DataType.INT32 } },
      { opType: 'Gather', name: 'emb', inputs: ['table', 'ids32'], outputs: ['e'] },
      { opType: 'Relu', inputs: ['image'], outputs: ['r'] },
      { opType: 'Relu', inputs: ['half'], outputs: ['h'] },
      { opType: 'Identity', inputs: ['attention_mask'], outputs: ['m'] },
      { opType: 'Add', inputs: ['scale', 'scale'], outputs: ['s2'] },
    ],
    initializers: [
      { name: 'table', dataType: DataType.FLOAT, dims: [1000, 16], values: new Float32Array(16000) },
      { name: 'scale', dataType: DataType.FLOAT, dims: [1], values: [1] },
    ],
    inputs: [
      { name: 'ids', elemType: DataType.INT64, shape: ['batch', 'sequence'] },
      { name: 'image', elemType: DataType.FLOAT, shape: ['N', 3, 'height', 'width'] },
      { name: 'attention_mask', elemType: DataType.INT64, shape: ['batch', 'sequence'] },
      { name: 'half', elemType: DataType.FLOAT16, shape: [null, 64] },
      { name: 'scale', elemType: DataType.FLOAT, shape: [1] },
    ],
    outputs: [{ name: 'e', elemType: DataType.FLOAT }, { name: 'r', elemType: DataType.FLOAT }, { name: 'h', elemType: DataType.FLOAT16 }, { name: 'm', elemType: DataType.INT64 }, { name: 's2', elemType: DataType.FLOAT }],
  },
};

test('symbolic dims get the batch / sequence / image defaults by name and position; defaulted inputs are skipped', () => {
  const { plans, dims } = planInputs(parse(spec), O);
  assert.deepEqual(plans.map((p) => p.name), ['ids', 'image', 'attention_mask', 'half']);
  const by = Object.fromEntries(plans.map((p) => [p.name, p]));
  assert.deepEqual(by.ids?.shape, [O.batchSize, O.sequenceLength]);
  assert.deepEqual(by.image?.shape, [O.batchSize, 3, O.imageSize, O.imageSize]);
  assert.deepEqual(by.half?.shape, [O.batchSize, 64]);
  assert.deepEqual(dims, { batch: O.batchSize, sequence: O.sequenceLength, N: O.batchSize, height: O.imageSize, width: O.imageSize, 'half:0': O.batchSize });
  assert.equal(by.ids?.kind, 'uniform-int');
  assert.equal(by.ids?.high, 1000, 'ids range is the Gather table size, found through the Cast');
  assert.equal(by.attention_mask?.kind, 'ones');
  assert.equal(by.image?.kind, 'normal');
});

test('explicit --dim values win over the defaults, by name or input:axis', () => {
  const { plans } = planInputs(parse(spec), { ...O, dims: { sequence: 5, height: 32, width: 48, 'half:0': 3, 'ids:0': 2 } });
  const by = Object.fromEntries(plans.map((p) => [p.name, p]));
  assert.deepEqual(by.ids?.shape, [2, 5], 'a named dim can also be set as input:axis');
  assert.deepEqual(by.image?.shape, [O.batchSize, 3, 32, 48]);
  assert.deepEqual(by.half?.shape, [3, 64]);
});

test('feeds: seeded, N(0,1) floats (float16 as bits), ids in range, masks all ones', () => {
  const { plans } = planInputs(parse(spec), { ...O, batchSize: 4, imageSize: 16 });
  const a = generateFeeds(plans, seededRandom(9));
  const b = generateFeeds(plans, seededRandom(9));
  assert.deepEqual(a, b);
  const by = Object.fromEntries(a.map((f) => [f.name, f]));
  const ids = by.ids?.data as BigInt64Array;
  assert.ok(ids instanceof BigInt64Array);
  assert.ok(ids.every((v) => v >= 0n && v < 1000n));
  assert.ok(new Set(ids).size > 50);
  assert.ok((by.attention_mask?.data as BigInt64Array).every((v) => v === 1n));
  const img = by.image?.data as Float32Array;
  assert.equal(img.length, 4 * 3 * 16 * 16);
  const mean = img.reduce((s, v) => s + v, 0) / img.length;
  const std = Math.sqrt(img.reduce((s, v) => s + (v - mean) ** 2, 0) / img.length);
  assert.ok(Math.abs(mean) < 0.05 && Math.abs(std - 1) < 0.05, `${mean} ${std}`);
  const half = by.half?.data as Uint16Array;
  assert.ok(half instanceof Uint16Array);
  const t = float16Table();
  const hv = Array.from(half, (x) => t[x] as number);
  const hm = hv.reduce((s, v) => s + v, 0) / hv.length;
  assert.ok(Math.abs(hm) < 0.3 && hv.some((v) => v < -1) && hv.some((v) => v > 1));
});

test('an input the probe cannot synthesize is a clear error', () => {
  const bad: ModelSpec = { ...spec, graph: { ...spec.graph, inputs: [{ name: 'b16', elemType: DataType.BFLOAT16, shape: [1, 4] }], nodes: [], outputs: [], initializers: [] } };
  assert.throws(() => planInputs(parse(bad), O), (e: unknown) => e instanceof ProbeInputError && /b16.*element type 16/.test(e.message));
});
