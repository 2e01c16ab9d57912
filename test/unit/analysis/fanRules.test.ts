import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeFan, conventionsDiffer, torchFan } from '../../../src/core/analysis/fanRules';
import type { Attribute, Node } from '../../../src/core/onnx/model';

function node(opType: string, attrs: Record<string, number | string> = {}): Node {
  const attributes: Attribute[] = Object.entries(attrs).map(([name, v]) => ({ name, docString: '', value: typeof v === 'string' ? { type: 'string', value: v } : { type: 'int', value: v } }));
  return { name: 'n', opType, domain: '', inputs: [], outputs: ['y'], attributes, docString: '', index: 0 };
}

test('torchFan is PyTorch _calculate_fan_in_and_fan_out', () => {
  assert.deepEqual(torchFan([64, 3, 7, 7]), { fanIn: 147, fanOut: 3136 });
  assert.deepEqual(torchFan([10, 32]), { fanIn: 32, fanOut: 10 });
  assert.equal(torchFan([10]), null);
});

test('Conv [M, C/g, k, k]: fan_in (C/g)k², fan_out Mk² even when depthwise', () => {
  const f = computeFan(node('Conv'), 1, [64, 32, 3, 3], false);
  assert.deepEqual([f?.fanIn, f?.fanOut, f?.outputAxis, f?.convention], [288, 576, 0, 'pytorch']);
  const dw = computeFan(node('Conv', { group: 32 }), 1, [32, 1, 3, 3], false);
  assert.deepEqual([dw?.fanIn, dw?.fanOut], [9, 288]);
  assert.match(dw?.rule ?? '', /depthwise.*true per-group fan_out = 9/);
  assert.equal(computeFan(node('Conv'), 2, [64], false), null, 'the bias has no fan');
});

test('ConvTranspose [C, M/g, k, k]: data-flow fans, PyTorch pair swapped', () => {
  const f = computeFan(node('ConvTranspose'), 1, [64, 128, 4, 4], false);
  assert.deepEqual([f?.fanIn, f?.fanOut, f?.convention, f?.outputAxis], [1024, 2048, 'dataflow', 1]);
  assert.deepEqual(f?.pytorch, { fanIn: 2048, fanOut: 1024 });
  assert.ok(f !== null && conventionsDiffer(f));
  const g = computeFan(node('ConvTranspose', { group: 2 }), 1, [10, 15, 5, 5], false);
  assert.deepEqual([g?.fanIn, g?.fanOut], [125, 750]);
});

test('Gemm: transB decides which axis is K; transA for a weight in A', () => {
  const t = computeFan(node('Gemm', { transB: 1 }), 1, [10, 32], false);
  assert.deepEqual([t?.fanIn, t?.fanOut, t?.outputAxis], [32, 10, 0]);
  const n = computeFan(node('Gemm'), 1, [96, 10], false);
  assert.deepEqual([n?.fanIn, n?.fanOut, n?.outputAxis], [96, 10, 1]);
  const a = computeFan(node('Gemm'), 0, [10, 32], false);
  assert.deepEqual([a?.fanIn, a?.fanOut], [32, 10]);
  const at = computeFan(node('Gemm', { transA: 1 }), 0, [32, 10], false);
  assert.deepEqual([at?.fanIn, at?.fanOut], [32, 10]);
});

test('MatMul: weight on either side, batched weights, raw [K,N] parameters', () => {
  const b = computeFan(node('MatMul'), 1, [48, 24], false);
  assert.deepEqual([b?.fanIn, b?.fanOut, b?.outputAxis, b?.pytorch], [48, 24, 1, { fanIn: 48, fanOut: 24 }]);
  const raw = computeFan(node('MatMul'), 1, [48, 24], true);
  assert.deepEqual(raw?.pytorch, { fanIn: 24, fanOut: 48 }, "torch's helper reads a raw [K,N] parameter swapped");
  const a = computeFan(node('MatMul'), 0, [16, 64], false);
  assert.deepEqual([a?.fanIn, a?.fanOut, a?.outputAxis], [64, 16, 0]);
  const batched = computeFan(node('MatMul'), 1, [8, 64, 32], false);
  assert.deepEqual([batched?.fanIn, batched?.fanOut, batched?.batchAxes, batched?.outputAxis], [64, 32, 1, 2]);
});

test('LSTM / GRU / RNN W and R per direction, gates in ONNX order', () => {
  const w = computeFan(node('LSTM', { hidden_size: 128 }), 1, [1, 512, 64], false);
  assert.deepEqual([w?.fanIn, w?.fanOut, w?.outputAxis, w?.batchAxes], [64, 512, 1, 1]);
  assert.deepEqual(w?.gates, { count: 4, hidden: 128, order: ['i', 'o', 'f', 'c'], perGate: { fanIn: 64, fanOut: 128 } });
  const r = computeFan(node('GRU', { hidden_size: 32 }), 2, [2, 96, 32], false);
  assert.deepEqual([r?.fanIn, r?.fanOut, r?.gates?.order], [32, 96, ['z', 'r', 'h']]);
  const rnn = computeFan(node('RNN'), 1, [1, 16, 8], false);
  assert.deepEqual([rnn?.fanIn, rnn?.fanOut, rnn?.gates?.hidden], [8, 16, 16]);
});

test('Gather table: embedding with torch fans, no output units', () => {
  const g = computeFan(node('Gather'), 0, [1000, 64], false);
  assert.deepEqual([g?.fanIn, g?.fanOut, g?.outputAxis, g?.dataflow], [64, 1000, null, null]);
  assert.equal(computeFan(node('Gather', { axis: 1 }), 0, [1000, 64], false), null);
});

test('Einsum as a plain projection', () => {
  const e = computeFan(node('Einsum', { equation: 'bij,jk->bik' }), 1, [64, 32], false);
  assert.deepEqual([e?.fanIn, e?.fanOut, e?.outputAxis], [64, 32, 1]);
  assert.equal(computeFan(node('Einsum', { equation: '...ij,jk->...ik' }), 1, [64, 32], false), null);
});

test('quantized and contrib ops', () => {
  const q = computeFan(node('QLinearConv'), 3, [16, 3, 3, 3], false);
  assert.deepEqual([q?.fanIn, q?.fanOut], [27, 144]);
  const mi = computeFan(node('MatMulInteger'), 1, [32, 10], false);
  assert.deepEqual([mi?.fanIn, mi?.fanOut], [32, 10]);
  const nb = computeFan(node('MatMulNBits', { K: 4096, N: 11008 }), 1, [11008, 128, 16], false);
  assert.deepEqual([nb?.fanIn, nb?.fanOut], [4096, 11008]);
});
