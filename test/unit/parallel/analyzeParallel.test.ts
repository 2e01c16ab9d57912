import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeModel } from '../../../src/core/analyze';
import { createExternalDataHost } from '../../../src/node/externalDataHost';
import { openFileSource } from '../../../src/node/fileSource';
import { runTensorPassesParallel } from '../../../src/node/parallelStats';
import { buildCnn, buildMlp } from '../../support/modelBuilders';

const WORKER = join(__dirname, '..', '..', '..', 'src', 'node', 'parallelStatsWorker.ts');

function analyze(path: string, parallel: boolean): { report: unknown; jobs: number; progress: number } {
  const source = openFileSource(path);
  let jobs = 0;
  let progress = 0;
  try {
    const report = analyzeModel({ source, external: createExternalDataHost(path), path: 'model.onnx' }, {}, {
      progress: { report: (done) => (progress = done) },
      passRunner: parallel ? (js, onElements) => { jobs = js.length; return runTensorPassesParallel(js, { modelPath: path, workers: 2, workerScript: WORKER, onElements }); } : undefined,
    });
    return { report: JSON.parse(JSON.stringify(report, (k, v) => (/^(generatedAt|durationMs|elapsedMs)$/.test(k) ? undefined : v))), jobs, progress };
  } finally {
    source.close();
  }
}

test('analysis with worker-thread passes produces the same report as in-process passes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-init-par-'));
  try {
    for (const [name, built] of [['mlp', buildMlp({ sizes: [64, 128, 128, 10], init: [0.02, { kind: 'uniform', limit: 0.1 }, 0] })], ['cnn', buildCnn({ inChannels: 3, channels: [16, 16], groups: [1, 16], classes: 10 })]] as const) {
      const path = join(dir, `${name}.onnx`);
      writeFileSync(path, built.bytes);
      const serial = analyze(path, false);
      const parallel = analyze(path, true);
      assert.ok(parallel.jobs >= built.tensors.length, `${name}: every tensor went through the runner`);
      assert.ok(((serial.report as { layers?: unknown[] }).layers?.length ?? 0) >= 2, `${name}: the report has layers`);
      assert.deepEqual(parallel.report, serial.report, name);
      assert.ok(Math.abs(parallel.progress - serial.progress) <= 1e-6 * Math.max(1, serial.progress), `${name}: progress reaches the same total`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
