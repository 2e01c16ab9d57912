// `onnx-init probe` and `onnx-init analyze --probe` through their command functions (real child
// processes, writer-built models in a temp folder).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runAnalyze } from '../../../src/cli/commands/analyze';
import { parseProbeArgs, runProbeCommand } from '../../../src/cli/commands/probe';
import type { ProbeReport } from '../../../src/core/probe/probeTypes';
import type { Report } from '../../../src/core/report/reportModel';
import { DataType } from '../../../src/core/onnx/model';
import { encodeModel } from '../../../src/core/onnx/writer/writeModel';
import { buildMlp } from '../../support/modelBuilders';
import { reportValidator } from '../format/reportValidator';

const dir = mkdtempSync(join(tmpdir(), 'onnx-init-probe-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, env: {} } };
}

// √32 · 0.01 = 0.057 already at the first layer: vanishing from depth 0.
const sizes = [32, 64, 64, 64, 10];
const tiny = join(dir, 'tiny.onnx');
writeFileSync(tiny, buildMlp({ sizes, init: sizes.map(() => 0.01), seed: 1 }).bytes);

test('flags: dims, numbers, format; bad values are usage errors', () => {
  const a = parseProbeArgs(['m.onnx', '--batches', '3', '--batch-size', '2', '--dim', 'seq=7', '--dim', 'x:1=5', '--seed', '9', '--timeout', '30', '--format', 'json']);
  assert.equal(a.model, 'm.onnx');
  assert.deepEqual([a.options.batches, a.options.batchSize, a.options.seed, a.options.timeoutSeconds, a.format], [3, 2, 9, 30, 'json']);
  assert.deepEqual(a.options.dims, { seq: 7, 'x:1': 5 });
  assert.throws(() => parseProbeArgs(['m.onnx', '--batches', '0']), /--batches must be an integer ≥ 1/);
  assert.throws(() => parseProbeArgs(['m.onnx', '--dim', 'seq']), /--dim must be NAME=N/);
  assert.throws(() => parseProbeArgs([]), /missing MODEL/);
});

test('onnx-init probe: text table, JSON, exit 1 with --fail-on warning on a vanishing model', async () => {
  const t = io();
  assert.equal(await runProbeCommand([tiny, '--batches', '2'], t.io), 0);
  const text = t.out.join('');
  assert.match(text, /Activation probe \(onnxruntime-node [\d.]+, seed 0, 2 batches\)/);
  assert.match(text, /\/fc3\/Gemm/);
  assert.match(text, /activation-vanishes: activations vanish from depth 0 \(at \/fc0\/Gemm\): measured std 0\.05\d/);

  const j = io();
  assert.equal(await runProbeCommand([tiny, '--batches', '2', '--format', 'json', '--fail-on', 'warning'], j.io), 1);
  const probe = JSON.parse(j.out.join('')) as ProbeReport;
  assert.equal(probe.layers.length, 4);
  assert.deepEqual(probe.findings.map((f) => f.code), ['activation-vanishes']);
});

test('onnx-init probe: a model ORT cannot load is one clear line and exit 2', async () => {
  const spec = buildMlp({ sizes: [8, 8, 2], seed: 1 }).spec;
  const bad = join(dir, 'bad.onnx');
  writeFileSync(bad, encodeModel({ ...spec, graph: { ...spec.graph, nodes: [...spec.graph.nodes, { opType: 'NoSuchOp', name: 'odd', inputs: ['output'], outputs: ['z'] }], outputs: [{ name: 'z', elemType: DataType.FLOAT }] } }));
  const t = io();
  assert.equal(await runProbeCommand([bad], t.io), 2);
  const line = t.err.join('');
  assert.equal(line.trim().split('\n').length, 1);
  assert.match(line, /probe of ".*bad\.onnx" failed \(load-failed\): onnxruntime cannot load the model at NoSuchOp node "odd": .*No Op registered for NoSuchOp/);
});

test('onnx-init analyze --probe: the probe section and its findings join the report', async () => {
  const t = io();
  await runAnalyze([tiny, '--probe', '--format', 'json'], t.io);
  const report = JSON.parse(t.out.join('')) as Report;
  assert.equal(report.probe?.layers.length, 4);
  assert.deepEqual(report.probe?.layers.map((l) => l.layerId), report.layers.map((l) => l.id));
  assert.ok(report.findings.some((f) => f.code === 'activation-vanishes' && f.data?.startsAt === 0));
  assert.deepEqual(reportValidator()(report), [], 'the report with its probe section matches docs/report.schema.json');
});
