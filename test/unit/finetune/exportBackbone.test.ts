import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { bytesSource, NO_EXTERNAL_DATA } from '../../../src/core/host';
import { CutError, extractBackbone } from '../../../src/core/finetune/extractBackbone';
import { parseModel } from '../../../src/core/onnx/parseModel';
import { encodeModel } from '../../../src/core/onnx/writer/writeModel';
import type { ModelSpec, NodeSpec } from '../../../src/core/onnx/writer/modelSpec';
import { atomicWrite, RefusedTargetError, removeAbandonedTemps } from '../../../src/node/atomicWrite';
import { exportBackbone } from '../../../src/node/exportBackbone';
import { runCut } from '../../../src/cli/commands/cut';
import { F, GraphBuilder, tinyResNet } from './graphs';

const dir = mkdtempSync(join(tmpdir(), 'onnx-init-backbone-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(model: string | Uint8Array, feeds: Record<string, ort.Tensor>, output: string): Promise<Float32Array> {
  const s = typeof model === 'string' ? await ort.InferenceSession.create(model) : await ort.InferenceSession.create(model);
  try {
    return (await s.run(feeds, [output]))[output]!.data as Float32Array;
  } finally {
    await s.release();
  }
}

/** Body with a Constant node, an If whose branches read an outer initializer, and a head. */
function branchyModel(): GraphBuilder {
  const g = new GraphBuilder(3);
  const x = g.input('x', [2, 4]);
  const scale = g.weight('outer.scale', [4]);
  g.weight('unused.weight', [9, 9]);
  const c = g.node('Constant', [], '/Constant', { value: { type: 'tensor', value: { dataType: F, dims: [1], values: [0.5] } } });
  const h = g.node('Mul', [x, c], '/body/Mul');
  g.tensor({ name: 'cond', dataType: 9, dims: [], values: [1] });
  const branch = (name: string, op: string) => ({ name, nodes: [{ opType: op, inputs: [h, scale], outputs: [`${name}_y`], name: `${name}/${op}` }], initializers: [], inputs: [], outputs: [{ name: `${name}_y`, elemType: F, shape: [2, 4] }] });
  const y = g.node('If', ['cond'], '/body/If', { then_branch: { type: 'graph', value: branch('then', 'Mul') }, else_branch: { type: 'graph', value: branch('else', 'Add') } });
  const r = g.node('Relu', [y], '/body/Relu');
  g.node('Gemm', [r, g.weight('head.weight', [3, 4]), g.weight('head.bias', [3])], '/head/Gemm', { transB: 1 }, ['logits']);
  g.output('logits', F, [2, 3]);
  return g;
}

describe('extractBackbone', () => {
  test('keeps only what the cut needs: nodes, outer-scope initializers of subgraphs, Constant nodes, inputs, opsets', async () => {
    const g = branchyModel();
    const model = g.model(13);
    const { spec, summary } = extractBackbone(model, '/body/Relu_out', { model: bytesSource(g.bytes(13)), external: NO_EXTERNAL_DATA });
    assert.deepEqual(spec.graph.nodes.map((n) => n.name), ['/Constant', '/body/Mul', '/body/If', '/body/Relu']);
    assert.deepEqual(spec.graph.initializers.map((t) => t.name).sort(), ['cond', 'outer.scale']);
    assert.deepEqual(spec.graph.outputs.map((o) => o.name), ['/body/Relu_out']);
    assert.deepEqual(spec.opsetImports, [{ domain: '', version: 13 }]);
    assert.deepEqual(summary.inputs, ['x']);
    const bytes = encodeModel(spec);
    const reparsed = parseModel(bytesSource(bytes));
    assert.equal(reparsed.graph.nodes.length, 4);
    const feeds = { x: new ort.Tensor('float32', Float32Array.from([1, -2, 3, -4, 5, -6, 7, -8]), [2, 4]) };
    const full = encodeModel({ ...g.spec(13), graph: { ...g.spec(13).graph, outputs: [...g.outputs, { name: '/body/Relu_out' }] } });
    assert.deepEqual(await run(bytes, feeds, '/body/Relu_out'), await run(full, feeds, '/body/Relu_out'));
  });

  test('keeps the model-local functions the kept nodes call (transitively) and drops the others', async () => {
    const g = new GraphBuilder(5);
    const x = g.input('x', [1, 4]);
    const h = g.node('ScaledRelu', [x], '/body/act', undefined, ['h']);
    g.nodes[g.nodes.length - 1] = { ...g.nodes[g.nodes.length - 1]!, domain: 'local' };
    const y = g.node('Gemm', [h, g.weight('head.weight', [2, 4])], '/head/Gemm', { transB: 1 }, ['y']);
    g.nodes.push({ opType: 'Unused', domain: 'local', inputs: [y], outputs: ['z'], name: '/other' });
    g.output('z');
    const fn = (name: string, nodes: NodeSpec[]) => ({ name, domain: 'local', inputs: ['a'], outputs: ['b'], nodes, opsetImports: [{ domain: '', version: 17 }, { domain: 'local', version: 1 }] });
    const spec: ModelSpec = {
      ...g.spec(),
      opsetImports: [{ domain: '', version: 17 }, { domain: 'local', version: 1 }],
      functions: [
        fn('ScaledRelu', [{ opType: 'Double', domain: 'local', inputs: ['a'], outputs: ['t'] }, { opType: 'Relu', inputs: ['t'], outputs: ['b'] }]),
        fn('Double', [{ opType: 'Add', inputs: ['a', 'a'], outputs: ['b'] }]),
        fn('Unused', [{ opType: 'Neg', inputs: ['a'], outputs: ['b'] }]),
      ],
    };
    const bytes = encodeModel(spec);
    const { spec: cut } = extractBackbone(parseModel(bytesSource(bytes)), 'h', { model: bytesSource(bytes), external: NO_EXTERNAL_DATA });
    assert.deepEqual(cut.functions!.map((f) => f.name), ['ScaledRelu', 'Double']);
    assert.deepEqual(cut.opsetImports, spec.opsetImports);
    const out = await run(encodeModel(cut), { x: new ort.Tensor('float32', Float32Array.from([1, -2, 3, -4]), [1, 4]) }, 'h');
    assert.deepEqual([...out], [2, 0, 6, 0]);
  });

  test('refuses tensors that are not produced in the main graph, and graph inputs', () => {
    const g = branchyModel();
    const ctx = { model: bytesSource(g.bytes()), external: NO_EXTERNAL_DATA };
    assert.throws(() => extractBackbone(g.model(), 'missing', ctx), CutError);
    assert.throws(() => extractBackbone(g.model(), 'x', ctx), /graph input/);
  });
});

describe('exportBackbone', () => {
  test('a ResNet backbone runs in onnxruntime and equals the full model at the cut', async () => {
    const g = tinyResNet(4);
    const src = join(dir, 'resnet.onnx');
    writeFileSync(src, g.bytes());
    const out = join(dir, 'resnet-backbone.onnx');
    const r = exportBackbone(src, '/Flatten_out', out);
    assert.equal(r.externalData.mode, 'none');
    const parsed = parseModel(bytesSource(readFileSync(out)));
    assert.ok(!parsed.graph.initializers.some((t) => t.name.startsWith('fc.')), 'the head is gone');
    assert.deepEqual(parsed.graph.outputs.map((o) => o.name), ['/Flatten_out']);
    const x = Float32Array.from({ length: 2 * 3 * 16 * 16 }, (_, i) => Math.sin(i * 0.37));
    const feeds = { input: new ort.Tensor('float32', x, [2, 3, 16, 16]) };
    const full = encodeModel({ ...g.spec(), graph: { ...g.spec().graph, outputs: [...g.outputs, { name: '/Flatten_out' }] } });
    const a = await run(out, feeds, '/Flatten_out');
    const b = await run(full, feeds, '/Flatten_out');
    assert.equal(a.length, 2 * 16);
    assert.deepEqual(a, b);
  });

  function externalModel(folder: string): string {
    mkdirSync(folder, { recursive: true });
    const w1 = Float32Array.from({ length: 8 * 4 }, (_, i) => Math.cos(i));
    const w2 = Float32Array.from({ length: 3 * 8 }, (_, i) => Math.sin(i));
    const data = new Uint8Array(w1.byteLength + w2.byteLength);
    data.set(new Uint8Array(w1.buffer), 0);
    data.set(new Uint8Array(w2.buffer), w1.byteLength);
    writeFileSync(join(folder, 'm.onnx.data'), data);
    const g = new GraphBuilder();
    g.input('x', [1, 4]);
    g.tensor({ name: 'body.fc1.weight', dataType: F, dims: [8, 4], external: { location: 'm.onnx.data', offset: 0, length: w1.byteLength } });
    g.tensor({ name: 'head.weight', dataType: F, dims: [3, 8], external: { location: 'm.onnx.data', offset: w1.byteLength, length: w2.byteLength } });
    const h = g.node('Gemm', ['x', 'body.fc1.weight'], '/body/fc1/Gemm', { transB: 1 });
    const r = g.node('Relu', [h], '/body/act1/Relu');
    g.node('Gemm', [r, 'head.weight'], '/head/Gemm', { transB: 1 }, ['y']);
    g.output('y');
    const path = join(folder, 'm.onnx');
    writeFileSync(path, g.bytes());
    return path;
  }

  test('external data: copied beside an output in another folder, referenced in place in the same folder', async () => {
    const src = externalModel(join(dir, 'ext'));
    const feeds = { x: new ort.Tensor('float32', Float32Array.from([0.5, -1, 2, 0.25]), [1, 4]) };
    const expected = await run(src, feeds, 'y');
    assert.equal(expected.length, 3);

    const otherDir = join(dir, 'other');
    mkdirSync(otherDir);
    const copied = exportBackbone(src, '/body/act1/Relu_out', join(otherDir, 'bb.onnx'));
    assert.equal(copied.externalData.mode, 'copied');
    assert.ok(existsSync(join(otherDir, 'bb.onnx.data')));
    const parsed = parseModel(bytesSource(readFileSync(join(otherDir, 'bb.onnx'))));
    const st = parsed.graph.initializers[0]!.storage;
    assert.ok(st.kind === 'external' && st.location === 'bb.onnx.data', 'references the new data file by a plain relative name');
    assert.equal(readFileSync(join(otherDir, 'bb.onnx.data')).length, 128, 'only the needed tensor, not the head');

    const same = exportBackbone(src, '/body/act1/Relu_out', join(dir, 'ext', 'bb.onnx'));
    assert.deepEqual(same.externalData, { mode: 'referenced', files: ['m.onnx.data'] });
    assert.ok(!existsSync(join(dir, 'ext', 'bb.onnx.data')), 'nothing new written next to the source');

    const full = await run(src, feeds, 'y');
    // The cut tensor by hand: relu(x · W1ᵀ) with W1[o][i] = cos(4o + i).
    const x = [0.5, -1, 2, 0.25];
    const want = Array.from({ length: 8 }, (_, o) => Math.max(0, x.reduce((a, xi, i) => a + xi * Math.fround(Math.cos(4 * o + i)), 0)));
    for (const p of [join(otherDir, 'bb.onnx'), join(dir, 'ext', 'bb.onnx')]) {
      const v = await run(p, feeds, '/body/act1/Relu_out');
      assert.equal(v.length, 8);
      v.forEach((z, k) => assert.ok(Math.abs(z - want[k]!) <= 1e-5, `${p}: element ${k} is ${z}, expected ${want[k]}`));
    }
    assert.deepEqual(full, expected);
    assert.deepEqual(readdirSync(otherDir).filter((f) => f.endsWith('.tmp')), [], 'no temp files left');
  });

  test('never overwrites the model or its data file, even through a symlinked or relative path', () => {
    const src = externalModel(join(dir, 'guard'));
    const before = readFileSync(src);
    assert.throws(() => exportBackbone(src, '/body/act1/Relu_out', src), RefusedTargetError);
    assert.throws(() => exportBackbone(src, '/body/act1/Relu_out', join(dir, 'guard', '..', 'guard', 'm.onnx')), RefusedTargetError);
    assert.throws(() => exportBackbone(src, '/body/act1/Relu_out', join(dir, 'guard', 'm.onnx.data')), RefusedTargetError);
    assert.deepEqual(readFileSync(src), before);
  });
});

describe('atomicWrite', () => {
  test('a failing writer leaves the old file and no temp file', () => {
    const target = join(dir, 'atomic.bin');
    writeFileSync(target, 'old');
    assert.throws(() => atomicWrite(target, (sink) => { sink(new Uint8Array([1, 2, 3])); throw new Error('boom'); }), /boom/);
    assert.equal(readFileSync(target, 'utf8'), 'old');
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('.atomic.bin')), []);
    assert.equal(atomicWrite(target, (sink) => sink(new Uint8Array([9, 9]))), 2);
    assert.deepEqual([...readFileSync(target)], [9, 9]);
  });

  test('a writer killed mid-write leaves its temp file, which removeAbandonedTemps removes (and nothing else)', () => {
    const target = join(dir, 'killed.onnx');
    let temp = '';
    // Simulate the kill: look at the temp file while the write is under way, then fail.
    assert.throws(() => atomicWrite(target, (sink) => {
      sink(new Uint8Array([1]));
      temp = readdirSync(dir).find((f) => f.startsWith(`.killed.onnx.${process.pid}.`)) ?? '';
      throw new Error('stop');
    }));
    assert.match(temp, /^\.killed\.onnx\.\d+\.[0-9a-f]{12}\.tmp$/);
    writeFileSync(join(dir, temp), 'left over');
    writeFileSync(join(dir, `.killed.onnx.${process.pid + 1}.aaaaaaaaaaaa.tmp`), 'another process');
    writeFileSync(join(dir, `.killed.onnx.${process.pid}.not-a-temp.tmp`), 'not ours');
    writeFileSync(target, 'the target');
    assert.equal(removeAbandonedTemps(target, process.pid), 1);
    assert.ok(!existsSync(join(dir, temp)));
    assert.ok(existsSync(join(dir, `.killed.onnx.${process.pid + 1}.aaaaaaaaaaaa.tmp`)));
    assert.ok(existsSync(join(dir, `.killed.onnx.${process.pid}.not-a-temp.tmp`)));
    assert.equal(readFileSync(target, 'utf8'), 'the target');
  });
});

describe('onnx-init cut', () => {
  test('cuts at the suggested head input by default and reports refusals in one line', () => {
    const src = join(dir, 'cli-resnet.onnx');
    writeFileSync(src, tinyResNet(3).bytes());
    let out = '', err = '';
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
    assert.equal(runCut([src, '--out', join(dir, 'cli-bb.onnx'), '--json'], io), 0, err);
    const res = JSON.parse(out) as { cut: string; nodes: number };
    assert.equal(res.cut, '/Flatten_out');
    assert.ok(res.nodes > 10);
    err = '';
    assert.equal(runCut([src, '--out', src], io), 2);
    assert.match(err, /refusing to write/);
    assert.equal(err.trim().split('\n').length, 1);
    err = '';
    assert.equal(runCut([src, '--at', 'no\u001b[31mpe', '--out', join(dir, 'x.onnx')], io), 2);
    assert.ok(!err.includes('\u001b'), 'tensor names are neutralized in messages');
  });
});
