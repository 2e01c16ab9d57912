import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/corpus';
import { runInspect } from '../../../src/cli/commands/inspect';

function run(args: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runInspect(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}
const fixture = (...p: string[]) => join(REPO_ROOT, 'test', 'fixtures', 'models', ...p);

test('inspect lists tensors with dtype, shape and storage; --json has the same rows', () => {
  const text = run([fixture('mlp_defects.onnx')]);
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, /body\.fc2\.weight {2}FLOAT \[128, 128\] {2}graph {2}raw_data @\d+\+65536/);
  assert.match(text.out, /tensors {4}7 \(0 refused\)/);
  const json = run([fixture('mlp_defects.onnx'), '--json']);
  const parsed = JSON.parse(json.out) as { tensors: { name: string; dtype: string; shape: number[]; storage: { kind: string; length: number } }[] };
  assert.equal(parsed.tensors.length, 7);
  assert.deepEqual(parsed.tensors[2], { ...parsed.tensors[2], name: 'body.fc2.weight', dtype: 'FLOAT', shape: [128, 128] });
  assert.equal(parsed.tensors[2]?.storage.length, 65536);
});

test('inspect shows external data locations and the fp16 / int8 dtypes', () => {
  const ext = run([fixture('ext_valid_control', 'model.onnx')]);
  assert.equal(ext.code, 0, ext.err);
  assert.match(ext.out, /ext_w2 {2}FLOAT \[2, 3\] {2}graph {2}external weights\.bin @4096\+24/);
  assert.match(ext.out, /ext_sub .* external sub\/w\.bin @0\+rest/);
  assert.match(run([fixture('mlp_fp16.onnx')]).out, /FLOAT16 \[/);
  assert.match(run([fixture('qdq_int8_per_tensor.onnx')]).out, /INT8 \[/);
});

test('unreadable models: exit 2 with one clear line, no stack trace', () => {
  const missing = run([fixture('nope.onnx')]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /^onnx-init inspect: cannot read model ".*nope\.onnx": no such file\n$/);
  const dir = run([fixture()]);
  assert.equal(dir.code, 2);
  assert.match(dir.err, /directory/);
  assert.equal(run([]).code, 2);
  assert.equal(run(['--bogus', fixture('mlp_defects.onnx')]).code, 2);
});
