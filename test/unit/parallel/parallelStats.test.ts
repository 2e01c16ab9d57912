import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTensorPass } from '../../../src/core/analysis/tensorPass';
import { CancelledError, ExternalDataError } from '../../../src/core/errors';
import { DataType } from '../../../src/core/onnx/model';
import { parseModel } from '../../../src/core/onnx/parseModel';
import { tensorValueChunks } from '../../../src/core/onnx/tensorValues';
import { unitLayout } from '../../../src/core/stats/channelStats';
import { encodeModel } from '../../../src/core/onnx/writer/writeModel';
import { createExternalDataHost } from '../../../src/node/externalDataHost';
import { openFileSource } from '../../../src/node/fileSource';
import type { TensorPassJob } from '../../../src/core/analysis/tensorPass';
import { runTensorPassesParallel } from '../../../src/node/parallelStats';
import { normalValues, Rng } from '../../support/modelBuilders';

const WORKER = join(__dirname, '..', '..', '..', 'src', 'node', 'parallelStatsWorker.ts');

function fixture(): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-init-parallel-'));
  const rng = new Rng(5);
  const ext = normalValues(300, 0.2, rng);
  writeFileSync(join(dir, 'w.bin'), new Uint8Array(ext.buffer));
  const bytes = encodeModel({
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    graph: {
      name: 'g', nodes: [], inputs: [], outputs: [],
      initializers: [
        { name: 'big', dataType: DataType.FLOAT, dims: [200, 300], values: normalValues(60000, 0.05, rng) },
        { name: 'mid', dataType: DataType.FLOAT16, dims: [64, 32], values: normalValues(2048, 0.5, rng) },
        { name: 'small', dataType: DataType.FLOAT, dims: [10], values: [0, 0, 1, 2, 3, NaN, Infinity, -1, 0.5, 4] },
        { name: 'ext', dataType: DataType.FLOAT, dims: [20, 15], external: { location: 'w.bin', offset: 0, length: 1200 } },
        { name: 'missing', dataType: DataType.FLOAT, dims: [4], external: { location: 'nope.bin', offset: 0, length: 16 } },
      ],
      sparseInitializers: [{ dims: [10, 10], values: { name: 'sp', dataType: DataType.FLOAT, dims: [3], values: [1, 2, 3] }, indices: { name: 'sp_i', dataType: DataType.INT64, dims: [3], values: [1, 50, 99] } }],
    },
  });
  const path = join(dir, 'model.onnx');
  writeFileSync(path, bytes);
  return { dir, path };
}

function jobsFor(path: string): TensorPassJob[] {
  const source = openFileSource(path);
  const model = parseModel(source);
  source.close();
  const jobs: TensorPassJob[] = model.graph.initializers.map((t) => ({
    tensor: t,
    input: { count: t.elementCount, maxElements: null, histogram: true, layout: t.dims.length === 2 ? unitLayout(t.dims, 0, 0) : undefined, matrix: t.dims.length === 2 ? { rows: t.dims[0]!, cols: t.dims[1]! } : undefined },
  }));
  const sp = model.graph.sparseInitializers[0]!;
  jobs.push({ tensor: sp.values, denseCount: 100, input: { count: 100, maxElements: null, histogram: true } });
  return jobs;
}

test('worker-thread passes return exactly what the in-process pass computes, in job order', () => {
  const { dir, path } = fixture();
  try {
    const jobs = jobsFor(path);
    let elements = 0;
    const outcomes = runTensorPassesParallel(jobs, { modelPath: path, workers: 2, workerScript: WORKER, onElements: (n) => (elements += n) });
    assert.equal(outcomes.length, jobs.length);
    const source = openFileSource(path);
    const ctx = { model: source, external: createExternalDataHost(path) };
    jobs.forEach((job, i) => {
      const o = outcomes[i]!;
      if (job.tensor.name === 'missing') {
        assert.equal(o.ok, false);
        assert.ok(!o.ok && o.error instanceof ExternalDataError && o.error.rule === 'missing-file', 'refusal keeps its class and rule');
        return;
      }
      assert.ok(o.ok, `${job.tensor.name}: ${!o.ok ? o.error.message : ''}`);
      const dense = job.denseCount;
      const chunks = dense === undefined ? () => tensorValueChunks(job.tensor, ctx) : function* () { yield* tensorValueChunks(job.tensor, ctx); yield new Float64Array(dense - job.tensor.elementCount); };
      assert.deepEqual(o.result, runTensorPass({ ...job.input, chunks }), job.tensor.name);
    });
    source.close();
    const sp = outcomes[jobs.length - 1]!;
    assert.ok(sp.ok && sp.result.stats.count === 100 && sp.result.stats.zeroCount === 97);
    // Progress covers every stored element read in the first pass of the jobs that succeeded.
    const expected = jobs.filter((j) => j.tensor.name !== 'missing').reduce((a, j) => a + (j.denseCount ?? j.tensor.elementCount), 0);
    assert.equal(elements, expected);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a throwing progress callback (cancellation) stops the run and propagates', () => {
  const { dir, path } = fixture();
  try {
    assert.throws(
      () => runTensorPassesParallel(jobsFor(path), { modelPath: path, workers: 2, workerScript: WORKER, onElements: () => { throw new CancelledError(); } }),
      CancelledError,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing model file fails every job with a clear error instead of hanging', () => {
  const { dir, path } = fixture();
  try {
    const jobs = jobsFor(path);
    rmSync(path);
    const outcomes = runTensorPassesParallel(jobs.slice(0, 2), { modelPath: path, workers: 1, workerScript: WORKER });
    assert.ok(outcomes.every((o) => !o.ok && /ENOENT|no such file/.test(o.error.message)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
