import './useFakeVscode';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import * as vscode from 'vscode';
import { AnalysisError, AnalysisService } from '../../src/vscode/analysisService';
import { Config } from '../../src/vscode/config';
import { Log } from '../../src/vscode/log';
import { defaultIsolation, hostHasHeapFlag, type Isolation } from '../../src/vscode/workerProcess';
import { renderInlineReport } from '../../src/vscode/inlineText';
import { REPO_ROOT } from '../support/corpus';
import { buildMlp } from '../support/modelBuilders';
import type { Report } from '../../src/core/report/reportModel';

// The worker runs as it ships: src/vscode/analysisWorker.ts bundled by esbuild (like esbuild.mjs).
let dir = '';
let workerPath = '';
const MLP = join(REPO_ROOT, 'test/fixtures/models/mlp_defects.onnx');

before(async () => {
  // Inside the repository, so the bundles resolve onnxruntime-node from its node_modules.
  mkdirSync(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
  dir = mkdtempSync(join(REPO_ROOT, 'test-artifacts', 'adapter-'));
  workerPath = join(dir, 'analysisWorker.js');
  const bundle = (src: string, out: string) => esbuild.build({ entryPoints: [join(REPO_ROOT, src)], outfile: join(dir, out), bundle: true, platform: 'node', format: 'cjs', external: ['onnxruntime-node'], logLevel: 'error' });
  await bundle('src/vscode/analysisWorker.ts', 'analysisWorker.js');
  await bundle('src/cli/probeWorker.ts', 'probeWorker.js');
  await bundle('src/node/parallelStatsWorker.ts', 'parallelStatsWorker.js');
});
after(() => rmSync(dir, { recursive: true, force: true }));

// The probe (on by default) runs only in the tests that ask for it: a probe process left from
// one test must not be running into the next.
const settings = (): ReturnType<Config['analysisSettings']> => {
  const s = new Config().analysisSettings();
  return { ...s, probe: { ...s.probe, enabled: false } };
};

test('analysis service: the worker analyzes a real model; the report drives the inline view; cached by size + mtime', async () => {
  const service = new AnalysisService(workerPath, new Log());
  const model = join(dir, 'mlp.onnx');
  copyFileSync(MLP, model);
  const uri = vscode.Uri.file(model);
  const report = await service.analyze(uri, settings());
  assert.deepEqual(report.layers.map((l) => l.weight), ['body.fc1.weight', 'body.fc2.weight', 'body.fc3.weight', 'body.fc4.weight', 'head.weight']);
  const fc1 = report.layers[0]!;
  // Corpus oracle (numpy, float64, ddof=0): std 0.17815610053021114, fan_in 64, He std 0.1767766952966369.
  assert.ok(Math.abs((fc1.stats.std ?? 0) - 0.17815610053021114) < 1e-9);
  assert.equal(fc1.fanIn, 64);
  const zero = report.findings.filter((f) => f.tensor === 'body.fc2.weight');
  assert.ok(zero.some((f) => f.severity === 'error'), JSON.stringify(zero));
  assert.ok(report.fineTune, 'fine-tune section added in the worker');
  const inline = renderInlineReport(report, 'mlp.onnx');
  const fc2Line = inline.lines.findIndex((l) => l.text.includes('W=body.fc2.weight'));
  assert.ok(report.findings.some((f, i) => f.tensor === 'body.fc2.weight' && inline.findingLines[i] === fc2Line));
  assert.ok(service.lastStats && service.lastStats.maxEventLoopDelayMs >= 0);

  assert.equal(await service.cached(uri, settings()), report, 'same size + mtime + settings: cache hit');
  assert.equal(await service.analyze(uri, settings()), report);
  assert.equal(await service.cached(uri, { ...settings(), varianceTolerance: 3 }), undefined, 'other settings: miss');
  utimesSync(model, new Date(), new Date(Date.now() + 5000));
  assert.equal(await service.cached(uri, settings()), undefined, 'touched file: miss');
  service.dispose();
});

test('analysis service: a big model shows its layer list (numbers pending) before the analysis ends', async () => {
  const service = new AnalysisService(workerPath, new Log());
  const model = join(dir, 'big.onnx');
  writeFileSync(model, buildMlp({ sizes: [2048, 2048, 2048, 2048, 10] }).bytes);
  const uri = vscode.Uri.file(model);
  const partials: Report[] = [];
  const sub = service.onDidChangeState(({ state }) => {
    if (state.status === 'running' && state.partial !== undefined && partials.at(-1) !== state.partial) partials.push(state.partial);
  });
  const report = await service.analyze(uri, settings());
  sub.dispose();
  assert.ok(partials.length >= 1, 'at least the graph-only report');
  assert.equal(partials[0]!.layers.length, report.layers.length);
  assert.ok(partials[0]!.layers.every((l) => l.pending === true));
  assert.ok(report.layers.every((l) => l.pending === undefined));
  service.dispose();
});

// Both isolations run every failure path: the thread (the default in VS Code) and the child
// process (the fallback when the host has a process-wide heap flag, as this test runner does).
for (const isolation of ['thread', 'process'] as Isolation[]) {
  test(`analysis service (${isolation}): a hostile file is a clear AnalysisError; out-of-memory in the worker too; the service keeps working`, async (t) => {
    if (isolation === 'thread' && hostHasHeapFlag()) {
      t.skip('this Node runs with a V8 heap flag (NODE_OPTIONS / execArgv), which voids a worker thread\'s heap limit: run without it to test the thread path');
      return;
    }
    const service = new AnalysisService(workerPath, new Log(), isolation);
    const bad = join(dir, 'truncated.onnx');
    writeFileSync(bad, readFileSync(MLP).subarray(0, 3000));
    await assert.rejects(service.analyze(vscode.Uri.file(bad), settings()), (e: unknown) => {
      assert.ok(e instanceof AnalysisError);
      assert.match(e.message, /offset|end of file|truncat/i);
      assert.ok(!e.message.includes('\n    at '), 'no stack in the message');
      return true;
    });
    assert.equal(service.state(vscode.Uri.file(bad))?.status, 'failed');
    // A 1 MB heap cannot even hold the analysis worker: it dies of a heap out-of-memory, we say so.
    await assert.rejects(service.analyze(vscode.Uri.file(MLP), { ...settings(), workerMemoryMb: 1 }, { force: true }), (e: unknown) => {
      assert.ok(e instanceof AnalysisError);
      assert.match(e.message, /ran out of memory \(limit 1 MB/);
      return true;
    });
    const ok = await service.analyze(vscode.Uri.file(MLP), settings(), { force: true });
    assert.equal(ok.layers.length, 5, 'the next analysis works');
    await assert.rejects(service.analyze(vscode.Uri.parse('untitled:/x.onnx'), settings()), /Only files on disk/);
    service.dispose();
  });

  test(`analysis service (${isolation}): cancelling stops the run with a CancellationError, not a failure`, async () => {
    const service = new AnalysisService(workerPath, new Log(), isolation);
    const uri = vscode.Uri.file(MLP);
    const run = service.analyze(uri, settings(), { force: true });
    await new Promise((r) => setTimeout(r, 20));
    service.forget(uri);
    await assert.rejects(run, (e: unknown) => e instanceof vscode.CancellationError);
    assert.equal(service.state(uri), undefined, 'a cancelled run leaves no failed state behind');
    assert.equal((await service.analyze(uri, settings())).layers.length, 5, 'and the next run works');
    service.dispose();
  });
}

/** Pids of live processes whose command line runs `script`. */
function processesRunning(script: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(script) && !/\nState:\s+Z/.test(readFileSync(`/proc/${p}/status`, 'utf8'))) pids.push(Number(p));
    } catch { /* gone meanwhile */ }
  }
  return pids;
}

const until = async (what: string, cond: () => boolean, ms: number): Promise<void> => {
  for (const end = Date.now() + ms; !cond(); await new Promise((r) => setTimeout(r, 25))) if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
};

for (const isolation of ['thread', 'process'] as Isolation[]) {
  test(`analysis service (${isolation}): cancelling during the probe also stops the onnxruntime process`, { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
    const service = new AnalysisService(workerPath, new Log(), isolation);
    const probeScript = join(dir, 'probeWorker.js');
    await until('no probe process from an earlier test', () => processesRunning(probeScript).length === 0, 10_000);
    // A symbolic batch: 64 batches of 16384 rows keep onnxruntime busy for tens of seconds.
    const model = join(dir, `busy-${isolation}.onnx`);
    writeFileSync(model, buildMlp({ sizes: [512, 512, 512, 512, 10] }).bytes);
    const uri = vscode.Uri.file(model);
    const run = service.analyze(uri, { ...settings(), probe: { ...settings().probe, enabled: true, batches: 64, batchSize: 16384, timeoutSeconds: 120 } }, { force: true });
    run.catch(() => {});
    await until('the probe process', () => processesRunning(probeScript).length > 0, 30_000);
    service.forget(uri);
    await assert.rejects(run, (e: unknown) => e instanceof vscode.CancellationError);
    await until('the probe process to end', () => processesRunning(probeScript).length === 0, 5_000);
    service.dispose();
  });
}

test('isolation: a thread unless the host has a process-wide V8 heap flag (which would void the thread\'s limit)', () => {
  assert.equal(hostHasHeapFlag([], ''), false);
  assert.equal(hostHasHeapFlag(['--max-old-space-size=8192'], ''), true);
  assert.equal(hostHasHeapFlag([], '--enable-source-maps --max-semi-space-size=64'), true);
  assert.equal(hostHasHeapFlag(['--inspect'], '--enable-source-maps'), false);
  // This runner starts Node with NODE_OPTIONS=--max-old-space-size (scripts/run-tests.mjs).
  assert.equal(defaultIsolation(), hostHasHeapFlag() ? 'process' : 'thread');
});
