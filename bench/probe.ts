// `node --import tsx bench/probe.ts [--runs N]` (npm run bench:probe)
// The activation probe on three corpus models: the measured std per depth next to the static
// forecast, and the probe's time next to one plain onnxruntime inference of the same model
// (same thread count, same seeded input). Writes bench/probe-results.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import * as ort from 'onnxruntime-node';
import { bytesSource } from '../src/core/host';
import { parseModel } from '../src/core/onnx/parseModel';
import { generateFeeds, planInputs } from '../src/core/probe/probeInputs';
import { DEFAULT_PROBE_OPTIONS, type ProbeReport } from '../src/core/probe/probeTypes';
import { seededRandom } from '../src/core/probe/seededRandom';
import { runProbe } from '../src/node/probe/runProbe';
import { CORPUS_DIR, HAVE_CORPUS, NO_CORPUS_MESSAGE } from '../test/support/corpus';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'bench', 'probe-results.json');
const WORKER = join(ROOT, 'bench', 'tmp', 'probeWorker.js');
const MODELS = ['deep_relu_std001', 'mlp_defects', 'tv_squeezenet1_1'];
const args = process.argv.slice(2);
const RUNS = args.includes('--runs') ? Math.max(1, Number(args[args.indexOf('--runs') + 1]) || 3) : 3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const round = (x: number | null, d = 4) => (x === null ? null : Number(x.toPrecision(d)));

/** One plain inference as a user would do it: session from the file, one run, same threads. */
async function plainInference(path: string): Promise<{ loadMs: number; runMs: number; totalMs: number }> {
  const model = parseModel(bytesSource(readFileSync(path)));
  const { plans } = planInputs(model, DEFAULT_PROBE_OPTIONS);
  const feeds = generateFeeds(plans, seededRandom(0));
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'basic' });
  const t1 = performance.now();
  const input: Record<string, ort.Tensor> = {};
  for (const f of feeds) input[f.name] = new ort.Tensor(f.type, f.data, f.shape);
  await session.run(input);
  const t2 = performance.now();
  await session.release();
  return { loadMs: t1 - t0, runMs: t2 - t1, totalMs: t2 - t0 };
}

async function main(): Promise<void> {
  if (!HAVE_CORPUS) {
    process.stderr.write(`${NO_CORPUS_MESSAGE}\n`);
    process.exit(1);
  }
  // The probe process as shipped: the esbuild bundle of src/cli/probeWorker.ts (not tsx).
  mkdirSync(dirname(WORKER), { recursive: true });
  await esbuild.build({ entryPoints: [join(ROOT, 'src', 'cli', 'probeWorker.ts')], outfile: WORKER, bundle: true, platform: 'node', format: 'cjs', target: 'es2022', external: ['onnxruntime-node'], logLevel: 'warning' });
  const results = [];
  for (const name of MODELS) {
    const path = join(CORPUS_DIR, 'torch', `${name}.onnx`);
    const probeWall: number[] = [];
    let report: ProbeReport | undefined;
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      report = await runProbe(path, { workerPath: WORKER });
      probeWall.push(performance.now() - t);
    }
    const plain = [];
    for (let i = 0; i < RUNS; i++) plain.push(await plainInference(path));
    const r = report as ProbeReport;
    const plainRunMs = median(plain.map((p) => p.runMs));
    const plainTotalMs = median(plain.map((p) => p.totalMs));
    const entry = {
      model: name,
      batches: r.batches,
      inputs: r.inputs.map((i) => ({ name: i.name, dtype: i.dtype, shape: i.shape })),
      findings: r.findings.map((f) => ({ code: f.code, node: f.node, startsAt: f.data?.startsAt ?? null })),
      curve: r.layers.map((l) => ({
        depth: l.depth,
        node: l.node,
        measuredStd: round(l.std),
        forecastStd: round(l.forecastStd),
        ratio: l.std !== null && l.forecastStd ? round(l.std / l.forecastStd, 3) : null,
        activationStd: round(l.activation?.std ?? null),
        gain: round(l.gain),
        isolatedGain: round(l.isolatedGain),
        forecastGain: round(l.forecastGain),
        lsuvScale: round(l.lsuvScale),
      })),
      timeMs: {
        probeWallMedian: round(median(probeWall), 4),
        probeInternal: { prepare: round(r.timing.prepareMs), load: round(r.timing.loadMs), run: round(r.timing.runMs), total: round(r.timing.totalMs) },
        plainInference: { load: round(median(plain.map((p) => p.loadMs))), run: round(plainRunMs), total: round(plainTotalMs) },
        probeRunPerBatchOverPlainRun: round(r.timing.runMs / (2 * r.batches) / plainRunMs, 3),
        probeWallOverPlainTotal: round(median(probeWall) / plainTotalMs, 3),
      },
    };
    process.stderr.write(`${name}: probe ${entry.timeMs.probeWallMedian} ms wall (internal ${entry.timeMs.probeInternal.total} ms) vs plain inference ${entry.timeMs.plainInference.total} ms\n`);
    results.push(entry);
  }
  const out = {
    generatedBy: 'bench/probe.ts',
    runs: RUNS,
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, onnxruntime: ort.env.versions.node },
    notes: [
      'probeWallMedian: runProbe() wall time including forking the probe process (the esbuild bundle, as shipped), parse, static analysis, both probe models and all batches.',
      'plainInference: InferenceSession.create(file) + one run of the same seeded input, in-process, same thread count (1).',
      'probeRunPerBatchOverPlainRun: probe run time per batch (forward and isolated runs) over one plain run: the cost of the extra outputs.',
    ],
    results,
  };
  writeFileSync(OUT, `${JSON.stringify(out, null, 2)}\n`);
  process.stderr.write(`wrote ${OUT}\n`);
}

void main();
