// Memory bound of the hostile corpus: every case's full analysis (the `onnx-init analyze` path:
// analyzeModel with the Node hosts + the JSON report) runs in a child process whose V8 heap is
// capped at the case's `max_memory_mb` (--max-old-space-size); it must not die of out-of-memory,
// must end with a report or a typed error, and its peak RSS (VmHWM) must stay under the bound.
// Cases run in batches (one child per batch, cases with the same bound together) to keep the
// time low; when a child dies, the case it was running is the one blamed and the batch goes on
// in a new child.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { corpusTestOptions, REPO_ROOT } from '../support/corpus';
import { buildSandbox, hostileCases, type HostileCase, type Sandbox } from './hostileSandbox';
import type { MemoryJob, MemoryResult } from './hostileMemoryChild';

const BATCH = 25;
/** Bound for cases whose case.json has none. */
const DEFAULT_MAX_MB = 512;

interface Batch {
  readonly maxMb: number;
  readonly cases: HostileCase[];
}

function batches(cases: readonly HostileCase[]): Batch[] {
  const byBound = new Map<number, HostileCase[]>();
  for (const c of cases) {
    const mb = (c.expected as { max_memory_mb?: number }).max_memory_mb ?? DEFAULT_MAX_MB;
    byBound.set(mb, [...(byBound.get(mb) ?? []), c]);
  }
  const out: Batch[] = [];
  for (const [maxMb, list] of [...byBound].sort((a, b) => a[0] - b[0])) {
    for (let i = 0; i < list.length; i += BATCH) out.push({ maxMb, cases: list.slice(i, i + BATCH) });
  }
  return out;
}

interface ChildRun {
  readonly results: MemoryResult[];
  /** The case the child was running when it ended without finishing the batch. */
  readonly died?: { readonly id: string; readonly how: string };
}

function runChild(script: string, jobs: readonly MemoryJob[], maxMb: number, dir: string, timeoutMs: number): ChildRun {
  const list = join(dir, 'jobs.json');
  writeFileSync(list, JSON.stringify(jobs));
  const r = spawnSync(process.execPath, [`--max-old-space-size=${maxMb}`, '--expose-gc', script, list], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20, env: { ...process.env, NODE_OPTIONS: '' } });
  const results: MemoryResult[] = [];
  let running: string | undefined;
  for (const line of (r.stdout ?? '').split('\n')) {
    if (line.trim() === '') continue;
    const m = JSON.parse(line) as MemoryResult | { start: string };
    if ('start' in m) running = m.start;
    else { results.push(m); running = undefined; }
  }
  if (running === undefined && results.length === jobs.length) return { results };
  const oom = /heap out of memory|Allocation failed|OutOfMemory/i.test(r.stderr ?? '');
  const how = oom ? 'died of out-of-memory' : r.error !== undefined ? `did not finish (${r.error.message})` : `ended with ${r.signal ?? `exit ${r.status}`}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ').slice(0, 300)}`;
  return { results, died: { id: running ?? jobs[results.length]?.id ?? '?', how } };
}

test('hostile corpus: the full analysis of every case stays under its max_memory_mb (heap cap, peak RSS)', { ...corpusTestOptions, timeout: 600_000 }, async () => {
  const cases = hostileCases();
  assert.ok(cases.length >= 100, `expected 100 hostile cases, found ${cases.length}`);
  const work = mkdtempSync(join(tmpdir(), 'onnx-init-hostile-mem-'));
  try {
    const script = join(work, 'child.cjs');
    await build({ entryPoints: [join(REPO_ROOT, 'test/corpus/hostileMemoryChild.ts')], outfile: script, bundle: true, platform: 'node', format: 'cjs', target: 'es2022', logLevel: 'silent', external: ['onnxruntime-node'] });
    const failures: string[] = [];
    const results: MemoryResult[] = [];
    const bound = new Map(cases.map((c) => [c.id, (c.expected as { max_memory_mb?: number }).max_memory_mb ?? DEFAULT_MAX_MB]));
    const seconds = new Map(cases.map((c) => [c.id, c.expected.max_seconds]));
    let children = 0;
    const t0 = performance.now();
    for (const b of batches(cases)) {
      const sandboxes: Sandbox[] = [];
      try {
        let jobs: MemoryJob[] = b.cases.map((c) => {
          const sb = buildSandbox(c);
          sandboxes.push(sb);
          return { id: c.id, modelPath: sb.modelPath };
        });
        while (jobs.length > 0) {
          children++;
          // Per child: each case's own budget plus start-up, generously (a loaded CI machine is slower).
          const run = runChild(script, jobs, b.maxMb, work, 10_000 + jobs.reduce((a, j) => a + 3 * (seconds.get(j.id) ?? 5) * 1000, 0));
          results.push(...run.results);
          if (run.died === undefined) break;
          failures.push(`${run.died.id}: the analysis child ${run.died.how} (heap cap ${b.maxMb} MB)`);
          const at = jobs.findIndex((j) => j.id === run.died?.id);
          jobs = at < 0 ? [] : jobs.slice(at + 1);
        }
      } finally {
        for (const sb of sandboxes) sb.dispose();
      }
    }
    for (const r of results) {
      const max = bound.get(r.id) ?? DEFAULT_MAX_MB;
      if (r.peakMb > max) failures.push(`${r.id}: peak RSS ${r.peakMb.toFixed(0)} MB > max_memory_mb ${max}${r.perCase ? '' : ' (peak of the child so far)'}`);
      if (r.outcome === 'other-error') failures.push(`${r.id}: the analysis failed with an untyped error: ${r.error}`);
      if (r.ms > (seconds.get(r.id) ?? 5) * 1000) failures.push(`${r.id}: the analysis took ${(r.ms / 1000).toFixed(2)} s > max_seconds ${seconds.get(r.id)}`);
    }
    const top = [...results].sort((x, y) => y.peakMb - x.peakMb).slice(0, 3).map((r) => `${r.id} ${r.peakMb.toFixed(0)} MB`).join(', ');
    const reports = results.filter((r) => r.outcome === 'report').length;
    console.log(`# hostile memory: ${results.length}/${cases.length} cases analyzed in ${children} children (${((performance.now() - t0) / 1000).toFixed(1)} s), ${reports} reports, ${results.length - reports} refused; peak RSS ${top}`);
    assert.deepEqual(failures, []);
    assert.equal(results.length, cases.length, 'every case reported');
    if (!results.every((r) => r.perCase)) console.log('# hostile memory: VmHWM could not be reset per case; peaks are per child so far (stricter)');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
