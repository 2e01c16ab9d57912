// Hostile attributes and nodes no writer produces, built byte by byte: attribute types that
// disagree with the value fields present, unknown attribute types, graph attributes without a
// graph, nodes without op_type or names, Constant nodes without a value. The reader either
// refuses the file with a clear error or every command handles the model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cat, f32, fLen, fStr, fVarint, initializer, modelProto, tensorProto, type Bytes } from '../reader/pb';
import { sweep, tempDir } from './harness';

const A = { name: 1, f: 2, i: 3, s: 4, t: 5, g: 6, floats: 7, ints: 8, type: 20 };
const T_FLOAT = 1;
const T_INT = 2;
const T_TENSOR = 4;
const T_GRAPH = 5;

const attr = (...fields: Bytes[]): number[] => fLen(5, ...fields);
/** Many fields as one flat array (spreading 100k arguments would overflow the stack). */
const many = (fields: readonly number[][]): number[] => {
  const out: number[] = [];
  for (const f of fields) for (const b of f) out.push(b);
  return out;
};
const node = (op: string | undefined, inputs: readonly string[], outputs: readonly string[], ...attrs: Bytes[]): number[] =>
  fLen(1, many(inputs.map((i) => fStr(1, i))), many(outputs.map((o) => fStr(2, o))), ...(op === undefined ? [] : [fStr(4, op)]), ...attrs);
const weight = (name: string, dims: readonly number[]): number[] => initializer(tensorProto(name, 1, dims, fLen(9, ...Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => f32(Math.sin(i) / 4)))));
const io = cat(fLen(11, fStr(1, 'x')), fLen(12, fStr(1, 'y')));

const CASES: { name: string; bytes: () => number[]; reject?: RegExp }[] = [
  { name: 'Conv group typed INT but carrying only f', bytes: () => modelProto(node('Conv', ['x', 'W'], ['y'], attr(fStr(A.name, 'group'), cat([0x15], f32(2)), fVarint(A.type, T_INT))), weight('W', [8, 3, 3, 3]), io) },
  { name: 'Conv group typed FLOAT 2.0', bytes: () => modelProto(node('Conv', ['x', 'W'], ['y'], attr(fStr(A.name, 'group'), cat([0x15], f32(2)), fVarint(A.type, T_FLOAT))), weight('W', [8, 3, 3, 3]), io) },
  { name: 'Gemm transB with i, f and a graph all set', bytes: () => modelProto(node('Gemm', ['x', 'W'], ['y'], attr(fStr(A.name, 'transB'), fVarint(A.i, 1), cat([0x15], f32(0)), fLen(A.g, fStr(2, 'sub')), fVarint(A.type, T_INT))), weight('W', [4, 6]), io) },
  { name: 'attribute of unknown type 99', bytes: () => modelProto(node('Conv', ['x', 'W'], ['y'], attr(fStr(A.name, 'group'), fVarint(A.i, 1), fVarint(A.type, 99))), weight('W', [8, 3, 3, 3]), io) },
  { name: 'If then_branch typed GRAPH without a graph', bytes: () => modelProto(node('If', ['c'], ['y'], attr(fStr(A.name, 'then_branch'), fVarint(A.type, T_GRAPH)), attr(fStr(A.name, 'else_branch'), fVarint(A.type, T_GRAPH))), weight('c', [1]), io) },
  { name: 'Constant typed TENSOR without a tensor, feeding a MatMul', bytes: () => modelProto(node('Constant', [], ['k'], attr(fStr(A.name, 'value'), fVarint(A.type, T_TENSOR))), node('MatMul', ['x', 'k'], ['y']), io) },
  { name: 'Constant with value and value_floats both set', bytes: () => modelProto(node('Constant', [], ['k'], attr(fStr(A.name, 'value'), fLen(A.t, tensorProto('', 1, [2, 2], fLen(9, f32(1), f32(2), f32(3), f32(4)))), fVarint(A.type, T_TENSOR)), attr(fStr(A.name, 'value_floats'), fLen(A.floats, f32(1)), fVarint(A.type, 6))), node('MatMul', ['x', 'k'], ['y']), io) },
  { name: 'node without op_type and attributes without names', bytes: () => modelProto(node(undefined, ['x', 'W'], ['y'], attr(fVarint(A.i, 3), fVarint(A.type, T_INT)), attr(fVarint(A.type, T_INT))), weight('W', [4, 4]), io) },
  { name: 'node with 100k empty inputs and the weight last', bytes: () => modelProto(node('Concat', [...new Array<string>(100_000).fill(''), 'W'], ['y']), weight('W', [4, 4]), io) },
  { name: 'then_branch graph made of garbage bytes', bytes: () => modelProto(node('If', ['c'], ['y'], attr(fStr(A.name, 'then_branch'), fLen(A.g, [0xff, 0xff, 0xff, 0x0f, 0x08]), fVarint(A.type, T_GRAPH))), weight('c', [1]), io), reject: /graph|varint|truncat|protobuf|parse/i },
];

for (const c of CASES) {
  test(`raw bytes: ${c.name}`, { timeout: 180_000 }, async () => {
    const t = tempDir();
    try {
      const path = join(t.dir, 'model.onnx');
      writeFileSync(path, Uint8Array.from(c.bytes()));
      const r = await sweep(path, c.name);
      for (const [format, run] of Object.entries(r.analyze)) {
        if (c.reject === undefined) assert.notEqual(run.code, 2, `${format}: ${run.stderr}`);
        else {
          assert.equal(run.code, 2, `${format}: garbage must be refused`);
          assert.match(run.stderr, c.reject);
        }
      }
    } finally {
      t.done();
    }
  });
}
