// analyzeModel over every third-party and onnx-node-tests model and every hostile case: no
// exception other than OnnxFormatError for rejected files, refused tensors named in the report,
// the canary never in a report, the JSON report serializable without NaN/Infinity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeModel } from '../../src/core/analyze';
import { OnnxFormatError } from '../../src/core/errors';
import type { Report } from '../../src/core/report/reportModel';
import { openFileSource } from '../../src/node/fileSource';
import { createExternalDataHost } from '../../src/node/externalDataHost';
import { corpusPath, corpusTestOptions, HAVE_CORPUS, REPO_ROOT } from '../support/corpus';
import { buildSandbox, hostileCases } from './hostileSandbox';

function onnxFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...onnxFiles(p));
    else if (name.endsWith('.onnx')) out.push(p);
  }
  return out;
}

function analyze(path: string): Report {
  const source = openFileSource(path);
  const external = createExternalDataHost(path);
  try { return analyzeModel({ source, external, path }); } finally { external.close(); source.close(); }
}

/** JSON-safe: no NaN / Infinity anywhere (JSON.stringify would silently turn them into null). */
function assertJsonSafe(value: unknown, where: string): void {
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'number') assert.ok(Number.isFinite(v), `${where}: non-finite number at ${path}`);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
  };
  walk(value, '$');
}

const summary = { thirdParty: 0, nodeTests: 0, nodeTestsRejected: 0, hostile: 0, hostileRejected: 0, hostileTensorRefused: 0, largest: { path: '', bytes: 0, ms: 0 }, failures: [] as string[] };

test('analyzeModel: third-party models', corpusTestOptions, () => {
  for (const f of onnxFiles(corpusPath('third-party'))) {
    const t0 = performance.now();
    const r = analyze(f);
    const ms = performance.now() - t0;
    const bytes = statSync(f).size;
    if (bytes > summary.largest.bytes) summary.largest = { path: f.slice(corpusPath().length + 1), bytes, ms: Math.round(ms) };
    assertJsonSafe(r, f);
    assert.ok(r.layers.length > 0, `${f}: no layers found`);
    summary.thirdParty++;
  }
});

test('analyzeModel: onnx-node-tests models', corpusTestOptions, () => {
  for (const f of onnxFiles(corpusPath('onnx-node-tests'))) {
    try {
      assertJsonSafe(analyze(f), f);
    } catch (e) {
      if (!(e instanceof OnnxFormatError)) { summary.failures.push(`${f}: ${(e as Error).stack}`); continue; }
      summary.nodeTestsRejected++;
    }
    summary.nodeTests++;
  }
  assert.deepEqual(summary.failures, []);
});

test('analyzeModel: hostile cases', corpusTestOptions, () => {
  for (const c of hostileCases()) {
    const sb = buildSandbox(c);
    try {
      let report: Report | undefined;
      try {
        report = analyze(sb.modelPath);
      } catch (e) {
        assert.ok(e instanceof OnnxFormatError, `${c.id}: threw ${(e as Error).name}: ${(e as Error).message}`);
        const ok = [c.expected.outcome, ...(c.expected.acceptable_outcomes ?? [])].includes('reject');
        assert.ok(ok, `${c.id}: rejected (${(e as Error).message}) but expected ${c.expected.outcome}`);
        summary.hostileRejected++;
      }
      if (report !== undefined) {
        const json = JSON.stringify(report);
        assertJsonSafe(report, c.id);
        assert.ok(!json.includes(sb.canary.subarray(0, 32).toString('latin1')), `${c.id}: canary bytes in the report`);
        if (c.expected.outcome === 'reject_tensor') {
          const refused = report.findings.filter((f) => f.code === 'tensor-refused');
          const acceptable = (c.expected.acceptable_outcomes ?? []).some((o) => o.startsWith('accept'));
          assert.ok(refused.length > 0 || acceptable, `${c.id}: no tensor reported as refused`);
          for (const f of refused) assert.ok(f.tensor !== null && f.message.includes('rule'), `${c.id}: refusal must name the tensor and the rule`);
          if (refused.length > 0) summary.hostileTensorRefused++;
        }
      }
      summary.hostile++;
    } finally {
      sb.dispose();
    }
  }
});

test('analyzeAll summary', corpusTestOptions, () => {
  console.log(`# analyzeAll: third-party ${summary.thirdParty}, onnx-node-tests ${summary.nodeTests} (rejected ${summary.nodeTestsRejected}), hostile ${summary.hostile} (rejected ${summary.hostileRejected}, tensor refused ${summary.hostileTensorRefused}); largest ${summary.largest.path} ${summary.largest.bytes} bytes in ${summary.largest.ms} ms`);
  mkdirSync(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
  writeFileSync(join(REPO_ROOT, 'test-artifacts', 'analyze-all-summary.json'), JSON.stringify(summary, null, 2));
  if (!HAVE_CORPUS) return;
  assert.ok(summary.thirdParty > 0);
});
