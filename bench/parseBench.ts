// Reader benchmark: parse time and peak memory (max RSS of a fresh child process) for the
// largest corpus model, and optionally for a generated single-file model of N GiB
// (`--synthetic-gb 2`, written once into bench/tmp by bench/models.ts), showing that parsing is
// lazy and memory stays bounded whatever the file size. Also times one full statistics pass.
// Usage: node --import tsx bench/parseBench.ts [--synthetic-gb N] [--runs R] [--json]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectWeights, computeTensorStats, dataTypeInfo, parseModel, tensorValueChunks } from '../src/core/index';
import { openFileSource } from '../src/node/fileSource';
import { createExternalDataHost } from '../src/node/externalDataHost';
import { mlpModel } from './models';

export interface ParseBenchResult {
  readonly file: string;
  readonly bytes: number;
  readonly tensors: number;
  readonly elements: number;
  /** Median wall time of `parseModel` over the runs, ms. */
  readonly parseMs: number;
  /** One full float64 statistics pass over every numeric tensor, ms. */
  readonly statsMs: number;
  /** Peak resident memory of the child process, MiB (includes Node's own ~40-60 MiB). */
  readonly maxRssMiB: number;
  /** RSS of the same child before opening the model, MiB. */
  readonly baselineRssMiB: number;
}

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = join(HERE, '..');

function child(path: string, runs: number): ParseBenchResult {
  const baselineRssMiB = process.memoryUsage().rss / 2 ** 20;
  const times: number[] = [];
  let model;
  const source = openFileSource(path);
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    model = parseModel(source);
    times.push(performance.now() - t0);
  }
  const weights = collectWeights(model!);
  const ctx = { model: source, external: createExternalDataHost(path) };
  let elements = 0;
  const t1 = performance.now();
  for (const w of weights) {
    if (w.tensor.refusal || !dataTypeInfo(w.tensor.dataType)?.numeric) continue;
    elements += computeTensorStats(tensorValueChunks(w.tensor, ctx)).count;
  }
  const statsMs = performance.now() - t1;
  source.close();
  times.sort((a, b) => a - b);
  return {
    file: path, bytes: statSync(path).size, tensors: weights.length, elements,
    parseMs: times[Math.floor(times.length / 2)] as number, statsMs,
    maxRssMiB: process.resourceUsage().maxRSS / 1024, baselineRssMiB,
  };
}

/** Runs one measurement in a fresh process so max RSS belongs to this model alone. */
export function benchParse(path: string, runs = 5): ParseBenchResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(HERE, 'parseBench.ts'), '--child', path, '--runs', String(runs)], { encoding: 'utf8', cwd: REPO, maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`parse bench child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ParseBenchResult;
}

function largestCorpusModel(): string {
  const corpus = process.env.ONNX_INIT_CORPUS ?? join(REPO, '..', 'shared', 'corpus');
  let best = { path: '', size: -1 };
  const walk = (dir: string): void => {
    for (const n of readdirSync(dir)) {
      const p = join(dir, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (n.endsWith('.onnx') && st.size > best.size) best = { path: p, size: st.size };
    }
  };
  walk(corpus);
  return best.path;
}

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const runs = Number(arg('--runs') ?? 5);
  const childPath = arg('--child');
  if (childPath !== undefined) {
    process.stdout.write(JSON.stringify(child(childPath, runs)));
  } else {
    const results = [benchParse(largestCorpusModel(), runs)];
    const gb = Number(arg('--synthetic-gb') ?? 0);
    if (gb > 0) results.push(benchParse(mlpModel(join(HERE, 'tmp'), `parse-${gb}gb`, gb * 2 ** 30, false).path, Math.min(runs, 3)));
    if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    else {
      for (const r of results) {
        console.log(`${r.file}\n  ${(r.bytes / 2 ** 20).toFixed(1)} MiB, ${r.tensors} tensors, ${r.elements} elements`);
        console.log(`  parse ${r.parseMs.toFixed(1)} ms (median of runs), stats pass ${r.statsMs.toFixed(0)} ms, peak RSS ${r.maxRssMiB.toFixed(0)} MiB (baseline ${r.baselineRssMiB.toFixed(0)} MiB)`);
      }
    }
  }
}
