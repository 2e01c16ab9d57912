import { dirname, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { analyzeModel } from '../../core/analyze';
import type { OnnxModel } from '../../core/onnx/model';
import { parseModel } from '../../core/onnx/parseModel';
import { checkTensorData, type TensorDataContext } from '../../core/onnx/tensorValues';
import { encodeModel } from '../../core/onnx/writer/writeModel';
import { describeInputs, generateFeeds, planInputs, ProbeInputError, type InputPlan, type ProbeFeed } from '../../core/probe/probeInputs';
import { forwardProbeSpec, isolatedProbeSpec, type ObservedTensor } from '../../core/probe/probeModel';
import { planProbe, type ProbePlan } from '../../core/probe/probePlan';
import { buildProbeLayers, probeFindings, type BatchMoments } from '../../core/probe/probeResults';
import { forecastForProbe } from '../../core/probe/probeForecast';
import type { ProbeOptions, ProbeReport } from '../../core/probe/probeTypes';
import { seededRandom } from '../../core/probe/seededRandom';
import { momentsOf, type Moments } from '../../core/probe/tensorMoments';
import { createExternalDataHost } from '../externalDataHost';
import { openFileSource } from '../fileSource';
import { neutralizeControls } from '../../core/text/sanitize';
import { describeOrtError, ProbeError } from './probeError';
import type { ProbeAnalysisInput, ProbeStage } from './probeMessages';

/** The static analysis of the model (layers, activations, forecast), done here when the caller has none. */
async function analyzeForProbe(path: string, ctx: TensorDataContext): Promise<ProbeAnalysisInput> {
  const report = await analyzeModel({ source: ctx.model, external: ctx.external, path }, {});
  return { layers: report.layers, forecast: report.forecast, tensors: report.tensors, modelVerdict: report.model.verdict };
}

export interface ProbeSessionHooks {
  readonly onProgress?: (stage: ProbeStage, done: number, total: number) => void;
}

const ELEM_TYPE: Readonly<Record<string, number>> = { float32: 1, float16: 10, float64: 11 };
const NOTES = [
  'std: population std (ddof=0, float64) of the layer output before its activation, pooled over all batches; stdSpread: min/max/sd of the per-batch std.',
  'gain: std(layer output) / std(layer input) in the forward run; rmsGain: the same with root mean squares (what forecastGain predicts; layer-gain-mismatch compares these two). isolatedGain: std ratio when the layer alone is fed N(0,1) input of the observed shape (one noise buffer per batch shared by all layers).',
  'forecastGain: sqrt(fan_in * E[W^2]) of the layer weight; forecastStd: sqrt(static forecast cumulative variance up to the layer input) * forecastGain, for a unit-variance model input: the same quantity as std.',
  'lsuvScale: LSUV-style factor for each layer weight (applied to all layers at once, each output std becomes 1 for homogeneous layers).',
];

/**
 * The probe itself, in this process (the child of `runProbe`, or a benchmark): parse, plan,
 * re-emit the model with the probed tensors as outputs, load it in onnxruntime from memory with
 * the model's folder as the external-data base, run the seeded batches, then run the isolated
 * model (each layer fed N(0,1)) and turn the moments into the report section.
 */
export async function probeInProcess(
  modelPath: string,
  options: ProbeOptions,
  analysis: ProbeAnalysisInput | undefined,
  hooks: ProbeSessionHooks = {},
): Promise<ProbeReport> {
  const t0 = performance.now();
  const path = resolve(modelPath);
  const source = openFileSource(path);
  const external = createExternalDataHost(path);
  try {
    const ctx: TensorDataContext = { model: source, external };
    const prepared = prepare(path, ctx, options, analysis ?? (await analyzeForProbe(path, ctx)));
    const { model, plan, plans, dims, forecastOf } = prepared;
    hooks.onProgress?.('prepare', 1, 1);
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      graphOptimizationLevel: 'basic',
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      logSeverityLevel: 3,
      // The probe model is loaded from memory; this makes ORT resolve the (already vetted)
      // relative external-data locations against the original model folder, read-only.
      extra: { session: { model_external_initializers_file_folder_path: dirname(path) } },
    };
    const forwardBytes = encodeModel(forwardProbeSpec(model, ctx, plan));
    const tPrepared = performance.now();

    // Forward run.
    let loadMs = 0;
    let t = performance.now();
    const forward = await createSession(forwardBytes, sessionOptions);
    loadMs += performance.now() - t;
    const rng = seededRandom(options.seed);
    const fwd = new Map<string, Moments[]>();
    const observed = new Map<string, ObservedTensor>();
    t = performance.now();
    for (let b = 0; b < options.batches; b++) {
      const feeds = generateFeeds(plans, rng);
      const results = await run(forward, feeds);
      for (const f of feeds) record(fwd, f.name, f.type, f.data, f.shape, observed);
      for (const name of plan.extraOutputs.concat(forward.outputNames)) {
        const r = results[name];
        if (r !== undefined) record(fwd, name, r.type, r.data, r.dims, observed);
      }
      hooks.onProgress?.('run', b + 1, options.batches);
    }
    let runMs = performance.now() - t;
    await forward.release();

    // Isolated run: every layer fed N(0,1) of the shape it saw.
    const { spec: isoSpec, injected } = isolatedProbeSpec(model, ctx, plan, observed);
    const isolated = new Map<string, { input: Moments[]; output: Moments[] }>();
    for (const target of plan.targets) {
      if (target.inputIsGraphInput && target.input !== null && fwd.has(target.input) && fwd.has(target.output)) {
        isolated.set(target.output, { input: fwd.get(target.input) ?? [], output: fwd.get(target.output) ?? [] });
      }
    }
    if (injected.length > 0) {
      const injectedPlans: InputPlan[] = injected.map((i) => ({
        name: i.name,
        type: i.elemType === 10 ? 'float16' : i.elemType === 11 ? 'float64' : 'float32',
        shape: i.shape,
        kind: 'normal',
        high: 0,
        reason: `N(0,1) in place of ${i.target.input ?? ''}`,
      }));
      const isoBytes = encodeModel(isoSpec);
      t = performance.now();
      const iso = await createSession(isoBytes, sessionOptions);
      loadMs += performance.now() - t;
      t = performance.now();
      for (let b = 0; b < options.batches; b++) {
        const injectedFeeds = sharedNoise(injectedPlans, rng);
        const results = await run(iso, generateFeeds(plans, rng).concat(injectedFeeds));
        injectedFeeds.forEach((feed, k) => {
          const target = (injected[k] as (typeof injected)[number]).target;
          const out = results[target.output];
          if (out === undefined || !(out.type in ELEM_TYPE)) return;
          const entry = isolated.get(target.output) ?? { input: [], output: [] };
          entry.input.push(momentsOf(feed.data as Float32Array, feed.type === 'float16'));
          entry.output.push(momentsOf(out.data as Float32Array, out.type === 'float16'));
          isolated.set(target.output, entry);
        });
        hooks.onProgress?.('isolated', b + 1, options.batches);
      }
      runMs += performance.now() - t;
      await iso.release();
    }

    const layers = buildProbeLayers(plan.targets, fwd as BatchMoments, isolated, forecastOf);
    const tEnd = performance.now();
    return {
      inputs: describeInputs(plans),
      seed: options.seed,
      batches: options.batches,
      dims,
      layers,
      findings: probeFindings(layers, plan.targets, options, { trainedModel: prepared.modelVerdict === 'trained' }),
      timing: { prepareMs: tPrepared - t0, loadMs, runMs, totalMs: tEnd - t0 },
      runtime: { name: 'onnxruntime-node', version: ort.env.versions.node ?? 'unknown' },
      notes: NOTES,
    };
  } finally {
    external.close();
    source.close();
  }
}

function prepare(path: string, ctx: TensorDataContext, options: ProbeOptions, a: ProbeAnalysisInput) {
  let model: OnnxModel;
  try {
    model = parseModel(ctx.model);
  } catch (e) {
    throw new ProbeError({ kind: 'prepare-failed', message: `cannot read ${path}: ${(e as Error).message}` });
  }
  // onnxruntime opens external files itself, by path: vet every location with our containment
  // rules first (symlinks, hard links, escapes, bounds), so ORT only ever sees safe ones.
  for (const t of model.graph.initializers) {
    if (t.storage.kind !== 'external') continue;
    const refusal = checkTensorData(t, ctx);
    if (refusal !== undefined) throw new ProbeError({ kind: 'prepare-failed', message: `external data refused, the model is not run: ${refusal.message}` });
  }
  const plan: ProbePlan = planProbe(model.graph, a.layers, a.tensors ?? []);
  if (plan.targets.length === 0) throw new ProbeError({ kind: 'prepare-failed', message: 'the model has no weight layers in its main graph to probe' });
  let inputs;
  try {
    inputs = planInputs(model, options);
  } catch (e) {
    if (e instanceof ProbeInputError) throw new ProbeError({ kind: 'prepare-failed', message: e.message });
    throw e;
  }
  return { model, plan, plans: inputs.plans, dims: inputs.dims, forecastOf: forecastForProbe(a.layers, a.forecast), modelVerdict: a.modelVerdict };
}

async function createSession(bytes: Uint8Array, options: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(bytes, options);
  } catch (e) {
    throw new ProbeError(describeOrtError('load-failed', (e as Error).message ?? String(e)));
  }
}

async function run(session: ort.InferenceSession, feeds: readonly ProbeFeed[]): Promise<ort.InferenceSession.ReturnType> {
  const input: Record<string, ort.Tensor> = {};
  for (const f of feeds) input[f.name] = new ort.Tensor(f.type, f.data, f.shape);
  try {
    return await session.run(input);
  } catch (e) {
    // Run-time failures are often the synthetic shapes (a symbolic dim too small for a Pad, a
    // Reshape): say which shapes were fed and how to change them.
    const info = describeOrtError('run-failed', (e as Error).message ?? String(e));
    const fed = feeds.filter((f) => !f.name.startsWith('probe_input_')).slice(0, 6).map((f) => `${neutralizeControls(f.name)}[${f.shape.join(', ')}]`);
    throw new ProbeError({ ...info, message: `${info.message} (inputs fed: ${fed.join(', ')}; change symbolic dimensions with --dim NAME=N / the dimension defaults)` });
  }
}

/**
 * N(0,1) feeds for the injected layer inputs, drawn once per batch and per element type at the
 * largest size and handed out as views: each layer is run on its own, so sharing the noise between
 * layers changes nothing about any one layer's statistics, and drawing it once per batch keeps the
 * isolated run from costing one Gaussian per element of every layer input.
 */
function sharedNoise(plans: readonly InputPlan[], rng: ReturnType<typeof seededRandom>): ProbeFeed[] {
  const size = (p: InputPlan) => p.shape.reduce((a, b) => a * b, 1);
  const base = new Map<string, ProbeFeed['data']>();
  for (const p of plans) {
    const n = Math.max(...plans.filter((q) => q.type === p.type).map(size));
    if (!base.has(p.type)) base.set(p.type, (generateFeeds([{ ...p, shape: [n] }], rng)[0] as ProbeFeed).data);
  }
  return plans.map((p) => ({ name: p.name, type: p.type, shape: p.shape, data: (base.get(p.type) as Float32Array).subarray(0, size(p)) }));
}

function record(into: Map<string, Moments[]>, name: string, type: string, data: unknown, dims: readonly number[], observed: Map<string, ObservedTensor>): void {
  const elemType = ELEM_TYPE[type];
  if (elemType === undefined) return; // ids, masks, shapes: no moments
  const list = into.get(name) ?? [];
  list.push(momentsOf(data as Float32Array, type === 'float16'));
  into.set(name, list);
  if (!observed.has(name)) observed.set(name, { elemType, shape: [...dims] });
}
