// End-to-end probe runs on models built with our writer (self-contained: no corpus). Each run is
// a real child process with onnxruntime-node, forked from the TS sources through tsx.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DataType } from '../../../src/core/onnx/model';
import type { ModelSpec, NodeSpec, TensorSpec } from '../../../src/core/onnx/writer/modelSpec';
import { encodeModel } from '../../../src/core/onnx/writer/writeModel';
import type { ProbeReport } from '../../../src/core/probe/probeTypes';
import { ProbeError } from '../../../src/node/probe/probeError';
import { runProbe } from '../../../src/node/probe/runProbe';
import { buildCnn, buildMlp, normalValues, Rng } from '../../support/modelBuilders';

const dir = mkdtempSync(join(tmpdir(), 'onnx-init-probe-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function save(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const std = (r: ProbeReport) => r.layers.map((l) => l.std as number);
const codes = (r: ProbeReport) => r.findings.map((f) => f.code);
const fast = { batches: 4, batchSize: 16 };

describe('probe on writer-built MLPs', () => {
  test('He-initialized ReLU MLP: std stays within a factor of 2 across depth and matches the forecast', async () => {
    const path = save('he.onnx', buildMlp({ sizes: [128, 256, 256, 256, 256, 10], seed: 3 }).bytes);
    const r = await runProbe(path, fast);
    assert.equal(r.layers.length, 5);
    assert.deepEqual(r.inputs.map((i) => i.shape), [[16, 128]]);
    const body = std(r).slice(0, 4);
    assert.ok(Math.max(...body) / Math.min(...body) < 2, `stds ${body}`);
    for (const l of r.layers.slice(0, 4)) {
      // He: the pre-activation std is √2 at every depth for a unit input.
      assert.ok(Math.abs((l.std as number) / Math.SQRT2 - 1) < 0.15, `${l.node} std ${l.std}`);
      assert.ok(Math.abs((l.std as number) / (l.forecastStd as number) - 1) < 0.2, `${l.node} std ${l.std} vs forecast ${l.forecastStd}`);
      assert.ok(Math.abs((l.isolatedGain as number) / (l.forecastGain as number) - 1) < 0.1, `${l.node} isolated ${l.isolatedGain} vs ${l.forecastGain}`);
      assert.equal(l.activation?.op, 'Relu');
    }
    assert.deepEqual(codes(r), []);
    // LSUV: the first layer needs 1/√2, the others ≈ 1.
    assert.ok(Math.abs((r.layers[0]?.lsuvScale as number) - Math.SQRT1_2) < 0.1);
    for (const l of r.layers.slice(1)) assert.ok(Math.abs((l.lsuvScale as number) - 1) < 0.2, `${l.node} lsuv ${l.lsuvScale}`);
  });

  test('same seed is bit-reproducible, another seed is not', async () => {
    const path = save('repro.onnx', buildMlp({ sizes: [32, 64, 64, 8], seed: 5 }).bytes);
    const a = await runProbe(path, { ...fast, seed: 11 });
    const b = await runProbe(path, { ...fast, seed: 11 });
    const c = await runProbe(path, { ...fast, seed: 12 });
    assert.deepEqual(a.layers, b.layers);
    assert.deepEqual(a.findings, b.findings);
    assert.notDeepEqual(std(a), std(c));
  });

  test('std 0.01 everywhere: activation-vanishes from depth 1', async () => {
    const sizes = [128, 128, 128, 128, 128, 128, 128, 10];
    const path = save('tiny.onnx', buildMlp({ sizes, init: sizes.map(() => 0.01), seed: 2 }).bytes);
    const r = await runProbe(path, fast);
    const f = r.findings.find((x) => x.code === 'activation-vanishes');
    assert.ok(f, `findings ${codes(r)}`);
    assert.equal(f.data?.startsAt, 1);
    // Each layer multiplies the std by √(128·1e-4·½) = 0.08 (after the first, √(128)·0.01 = 0.113).
    assert.ok(Math.abs((r.layers[0]?.std as number) - 0.113) < 0.02);
    assert.ok((r.layers[6]?.std as number) < 1e-6);
  });

  test('a ×10 layer shows as a gain jump at that layer (and explodes)', async () => {
    const sizes = [64, 128, 128, 128, 128, 10];
    const he = (fan: number) => Math.sqrt(2 / fan);
    const init = sizes.slice(0, -1).map((fan, i) => (i === 2 ? 10 * he(fan) : he(fan)));
    const path = save('x10.onnx', buildMlp({ sizes, init, seed: 4 }).bytes);
    const r = await runProbe(path, fast);
    const iso = r.layers.map((l) => l.isolatedGain as number);
    const jump = (iso[2] as number) / (iso[1] as number);
    assert.ok(jump > 7 && jump < 14, `isolated gains ${iso}`);
    const fwd = r.layers.map((l) => l.gain as number);
    assert.ok((fwd[2] as number) / (fwd[1] as number) > 7, `forward gains ${fwd}`);
    const explodes = r.findings.find((x) => x.code === 'activation-explodes');
    assert.equal(explodes?.data?.startsAt, 2);
  });
});

/** Relu(input) → constant-weight Gemm (every hidden unit identical) → Gemm with mean-0.05 weights: correlated inputs. */
function correlatedModel(): ModelSpec {
  const rng = new Rng(8);
  const w1: TensorSpec = { name: 'w1', dataType: DataType.FLOAT, dims: [128, 64], values: new Float32Array(128 * 64).fill(0.1) };
  const w2: TensorSpec = { name: 'w2', dataType: DataType.FLOAT, dims: [16, 128], values: normalValues(16 * 128, 0.01, rng, 0.05) };
  const nodes: NodeSpec[] = [
    { opType: 'Gemm', name: 'fc1', inputs: ['x', 'w1'], outputs: ['h'], attributes: { transB: 1 } },
    { opType: 'Relu', name: 'act1', inputs: ['h'], outputs: ['a'] },
    { opType: 'Gemm', name: 'fc2', inputs: ['a', 'w2'], outputs: ['y'], attributes: { transB: 1 } },
  ];
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    graph: { name: 'corr', nodes, initializers: [w1, w2], inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: ['batch', 64] }], outputs: [{ name: 'y', elemType: DataType.FLOAT, shape: ['batch', 16] }] },
  };
}

test('layer-gain-mismatch when the measured gain departs from the weight statistics (correlated inputs)', async () => {
  const r = await runProbe(save('corr.onnx', encodeModel(correlatedModel())), fast);
  const f = r.findings.filter((x) => x.code === 'layer-gain-mismatch');
  assert.deepEqual(f.map((x) => x.node), ['fc2']);
  // Identical hidden units: y = h·Σw ≈ 128·0.05·h, gain ≈ 6.4, where √(fan·E[W²]) = √(128·(0.05²+0.01²)) ≈ 0.58.
  const fc2 = r.layers[1];
  assert.ok(Math.abs((fc2?.gain as number) / 6.4 - 1) < 0.15, `gain ${fc2?.gain}`);
  assert.ok(Math.abs((fc2?.forecastGain as number) - 0.577) < 0.01, `forecast gain ${fc2?.forecastGain}`);
});

describe('models onnxruntime cannot run give a clear error', () => {
  const base = correlatedModel();
  test('unknown op: load-failed naming the op and ORT\'s message', async () => {
    const spec: ModelSpec = { ...base, graph: { ...base.graph, nodes: [...base.graph.nodes, { opType: 'FooBar', name: 'weird', inputs: ['y'], outputs: ['z'] }], outputs: [{ name: 'z', elemType: DataType.FLOAT }] } };
    await assert.rejects(runProbe(save('unknown-op.onnx', encodeModel(spec)), fast), (e: unknown) => {
      assert.ok(e instanceof ProbeError);
      assert.equal(e.kind, 'load-failed');
      assert.equal(e.op, 'FooBar');
      assert.equal(e.node, 'weird');
      assert.match(e.message, /No Op registered for FooBar/);
      return true;
    });
  });

  test('bad shape: load-failed at the MatMul with ORT\'s shape error', async () => {
    const w: TensorSpec = { name: 'w', dataType: DataType.FLOAT, dims: [5, 3], values: new Float32Array(15).fill(0.1) };
    const spec: ModelSpec = {
      ...base,
      graph: { name: 'bad', nodes: [{ opType: 'MatMul', name: 'mm_bad', inputs: ['x', 'w'], outputs: ['y'] }], initializers: [w], inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: ['batch', 4] }], outputs: [{ name: 'y', elemType: DataType.FLOAT }] },
    };
    await assert.rejects(runProbe(save('bad-shape.onnx', encodeModel(spec)), fast), (e: unknown) => {
      assert.ok(e instanceof ProbeError);
      assert.ok(e.kind === 'load-failed' || e.kind === 'run-failed', e.kind);
      assert.equal(e.op, 'MatMul');
      assert.equal(e.node, 'mm_bad');
      assert.match(e.message, /Incompatible dimensions/);
      return true;
    });
  });
});

describe('runner limits', () => {
  const path = save('small.onnx', buildMlp({ sizes: [16, 16, 4], seed: 1 }).bytes);
  test('cancellation kills the child and rejects with cancelled', async () => {
    const abort = new AbortController();
    const p = runProbe(path, fast, { signal: abort.signal });
    abort.abort();
    await assert.rejects(p, (e: unknown) => e instanceof ProbeError && e.kind === 'cancelled');
    const polled = { isCancellationRequested: true };
    await assert.rejects(runProbe(path, fast, { signal: polled }), (e: unknown) => e instanceof ProbeError && e.kind === 'cancelled');
  });

  test('a memory limit below what the process needs kills it with memory-limit', async () => {
    await assert.rejects(runProbe(path, { ...fast, memoryLimitMb: 16 }), (e: unknown) => e instanceof ProbeError && e.kind === 'memory-limit' && /over the 16 MiB limit/.test(e.message));
  });

  test('the wall-clock limit kills the child and rejects with timeout', async () => {
    await assert.rejects(runProbe(path, { ...fast, timeoutSeconds: 0.01 }), (e: unknown) => e instanceof ProbeError && e.kind === 'timeout' && /timed out after 0.01 s/.test(e.message));
  });

  test('progress is reported per batch', async () => {
    const seen: string[] = [];
    await runProbe(path, fast, { onProgress: (stage, done, total) => seen.push(`${stage}:${done}/${total}`) });
    assert.ok(seen.includes('run:4/4'), seen.join(' '));
  });
});

test('external data: read by reference from the model folder, nothing written there, originals untouched', async () => {
  const sub = mkdtempSync(join(dir, 'ext-'));
  const built = buildMlp({ sizes: [64, 128, 128, 10], seed: 6 });
  // Move every weight into one data file, 4 KiB aligned like onnx.save does for mmap.
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const initializers = built.spec.graph.initializers.map((t): TensorSpec => {
    if (!('values' in t) || t.dims.length < 2) return t;
    const raw = new Uint8Array(Float32Array.from(t.values).buffer);
    const pad = (4096 - (offset % 4096)) % 4096;
    chunks.push(new Uint8Array(pad), raw);
    offset += pad;
    const spec: TensorSpec = { name: t.name, dataType: t.dataType, dims: t.dims, external: { location: 'weights.bin', offset, length: raw.length } };
    offset += raw.length;
    return spec;
  });
  const data = Buffer.concat(chunks);
  writeFileSync(join(sub, 'weights.bin'), data);
  const modelPath = join(sub, 'model.onnx');
  writeFileSync(modelPath, encodeModel({ ...built.spec, graph: { ...built.spec.graph, initializers } }));
  const before = { files: readdirSync(sub).sort(), hash: createHash('sha256').update(readFileSync(join(sub, 'weights.bin'))).digest('hex'), mtime: statSync(join(sub, 'weights.bin')).mtimeMs };

  const r = await runProbe(modelPath, fast);
  assert.equal(r.layers.length, 3);
  for (const l of r.layers.slice(0, 2)) assert.ok(Math.abs((l.std as number) / Math.SQRT2 - 1) < 0.2, `${l.node} std ${l.std}`);
  assert.deepEqual(readdirSync(sub).sort(), before.files);
  assert.equal(createHash('sha256').update(readFileSync(join(sub, 'weights.bin'))).digest('hex'), before.hash);
  assert.equal(statSync(join(sub, 'weights.bin')).mtimeMs, before.mtime);
});

test('external data that escapes the model folder is refused before onnxruntime sees it', async () => {
  const sub = mkdtempSync(join(dir, 'escape-'));
  writeFileSync(join(dir, 'outside.bin'), new Uint8Array(16 * 16 * 4));
  const built = buildMlp({ sizes: [16, 16, 4], seed: 1 });
  const initializers = built.spec.graph.initializers.map((t): TensorSpec =>
    t.name === 'fc0.weight' ? { name: t.name, dataType: t.dataType, dims: t.dims, external: { location: '../outside.bin', offset: 0, length: 16 * 16 * 4 } } : t);
  const modelPath = join(sub, 'model.onnx');
  writeFileSync(modelPath, encodeModel({ ...built.spec, graph: { ...built.spec.graph, initializers } }));
  await assert.rejects(runProbe(modelPath, fast), (e: unknown) => e instanceof ProbeError && e.kind === 'prepare-failed' && /external data refused/.test(e.message));
});

test('normalizations reset the judged run: a BN network with tiny convs is not "vanishing" (eval-mode BN is identity at init)', async () => {
  const cnn = buildCnn({ inChannels: 3, channels: [8, 8, 8, 8], convInit: [0.01, 0.01, 0.01, 0.01], classes: 4, imageSize: 8, seed: 2 });
  const r = await runProbe(save('bn.onnx', cnn.bytes), fast);
  // The eval-mode signal does shrink (BN running stats 0/1 leave it unscaled) ...
  assert.ok((r.layers[3]?.std as number) < 1e-5, `std ${r.layers[3]?.std}`);
  // ... but every conv is followed by a norm, which rescales it during training.
  assert.deepEqual(r.findings.filter((f) => f.code.startsWith('activation-')), []);
});
