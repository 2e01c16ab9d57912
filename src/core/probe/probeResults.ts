import type { Finding } from '../report/reportModel';
import type { ProbeTarget } from './probePlan';
import type { ProbeLayerReport, ProbeOptions, ProbeTensorReport } from './probeTypes';
import { EMPTY_MOMENTS, mergeMoments, stdOf, type Moments } from './tensorMoments';

/** Per-batch moments of every probed tensor, by tensor name. */
export type BatchMoments = ReadonlyMap<string, readonly Moments[]>;

/** What the static forecast predicts for one layer, in the probe's terms. */
export interface LayerForecast {
  /** Predicted std of the layer's output for a unit-variance model input. */
  readonly std: number | null;
  /** Predicted std gain of the layer alone, output ÷ input. */
  readonly gain: number | null;
}

/** Pools per-batch moments into the report's mean / std with their spread across batches. */
export function summarizeTensor(name: string, batches: readonly Moments[]): ProbeTensorReport {
  const pooled = batches.reduce(mergeMoments, EMPTY_MOMENTS);
  const stds = batches.map(stdOf).filter((s): s is number => s !== null);
  let sd: number | null = null;
  if (stds.length > 0) {
    const m = stds.reduce((a, b) => a + b, 0) / stds.length;
    sd = Math.sqrt(stds.reduce((a, s) => a + (s - m) * (s - m), 0) / stds.length);
  }
  return {
    name,
    mean: pooled.count === 0 ? null : finite(pooled.mean),
    std: finite(stdOf(pooled)),
    rms: pooled.count === 0 ? null : finite(Math.sqrt(pooled.m2 / pooled.count + pooled.mean * pooled.mean)),
    stdSpread: { min: stds.length ? finite(Math.min(...stds)) : null, max: stds.length ? finite(Math.max(...stds)) : null, sd: finite(sd) },
    min: pooled.count === 0 ? null : finite(pooled.min),
    max: pooled.count === 0 ? null : finite(pooled.max),
    nonFinite: pooled.nonFinite,
  };
}

/**
 * Builds the per-layer section. `forward` holds the moments of the forward run (layer outputs,
 * their data inputs and activations); `isolated` the moments of each layer's output and of its
 * injected N(0,1) input when the layer is fed alone (keyed by the layer's output name).
 */
export function buildProbeLayers(
  targets: readonly ProbeTarget[],
  forward: BatchMoments,
  isolated: ReadonlyMap<string, { readonly input: readonly Moments[]; readonly output: readonly Moments[] }>,
  forecastOf: (layerId: string) => LayerForecast,
): ProbeLayerReport[] {
  const out: ProbeLayerReport[] = [];
  let previousStd: number | null = null;
  for (const t of targets) {
    const o = summarizeTensor(t.output, forward.get(t.output) ?? []);
    const input = t.input !== null && forward.has(t.input) ? summarizeTensor(t.input, forward.get(t.input) ?? []) : null;
    const act = t.activation !== null && forward.has(t.activation.output)
      ? { ...summarizeTensor(t.activation.output, forward.get(t.activation.output) ?? []), node: t.activation.node, op: t.activation.op }
      : null;
    const iso = isolated.get(t.output);
    const isoIn = iso ? stdOf(iso.input.reduce(mergeMoments, EMPTY_MOMENTS)) : null;
    const isoOut = iso ? stdOf(iso.output.reduce(mergeMoments, EMPTY_MOMENTS)) : null;
    const isolatedGain = isoIn !== null && isoIn > 0 && isoOut !== null ? finite(isoOut / isoIn) : null;
    const gain = input?.std != null && input.std > 0 && o.std !== null ? finite(o.std / input.std) : null;
    const rmsGain = input?.rms != null && input.rms > 0 && o.rms != null ? finite(o.rms / input.rms) : null;
    const fc = forecastOf(t.layerId);
    out.push({
      layerId: t.layerId,
      depth: t.depth,
      node: t.node,
      op: t.op,
      output: t.output,
      mean: o.mean,
      std: o.std,
      stdSpread: o.stdSpread,
      rms: o.rms,
      nonFinite: o.nonFinite,
      input,
      activation: act,
      gain,
      rmsGain,
      isolatedGain,
      forecastStd: finite(fc.std),
      forecastGain: finite(fc.gain),
      lsuvScale: lsuvScale(o.std, previousStd, t.depth === 0, isolatedGain),
    });
    if (o.std !== null) previousStd = o.std;
  }
  return out;
}

/**
 * LSUV (Mishkin & Matas 2016) rescales layer after layer until each output has unit variance.
 * For positively homogeneous layers, once every earlier layer is rescaled this layer's output std
 * becomes std / previousStd, so the factor is previousStd / std (1 / std for the first layer).
 * Past a dead layer the forward signal says nothing; the isolated N(0,1) run stands in.
 */
function lsuvScale(std: number | null, previousStd: number | null, first: boolean, isolatedGain: number | null): number | null {
  if (std !== null && std > 0 && (first || (previousStd !== null && previousStd > 0))) {
    return finite((first ? 1 : (previousStd as number)) / std);
  }
  return isolatedGain !== null && isolatedGain > 0 ? finite(1 / isolatedGain) : null;
}

/**
 * Findings of the probe.
 *
 * `activation-explodes` / `-vanishes` look at runs of layers between normalizations, as the
 * static forecast does: a normalization (BN, LN, or BN folded into the weight) resets the scale
 * during training, and onnxruntime runs BatchNormalization with its (fresh: 0/1) running
 * statistics, so the eval-mode signal across a norm says nothing about training. Within a run the
 * signal (each layer's output, before its activation) is judged against the std entering the run
 * (the model input for the first run) with `options.band`; layers followed by a norm, output
 * heads (small logits are deliberate) and layers whose bias outweighs their weighted input are
 * not judged. Non-finite values always count.
 *
 * `layer-gain-mismatch` compares the measured output rms with √(fan_in·E[W²]·E[x²] + E[b²]) for
 * the measured input (the static forecast's per-layer step, plus the layer's bias); a warning for
 * fresh Gemm / MatMul / Conv layers, where that prediction is exact in expectation, and info for
 * trained or folded weights and ops the formula only approximates (ConvTranspose, RNNs).
 */
export function probeFindings(
  layers: readonly ProbeLayerReport[],
  targets: readonly ProbeTarget[],
  options: Pick<ProbeOptions, 'band' | 'gainTolerance'>,
  context: { readonly trainedModel?: boolean } = {},
): Finding[] {
  const findings: Finding[] = [];
  const trainedModel = context.trainedModel === true;
  let explode: BandHit | undefined;
  let vanish: typeof explode;
  let reference: number | null = null;
  let lastJudged: ProbeLayerReport | undefined;
  layers.forEach((l, i) => {
    const t = targets[i];
    if (t === undefined) return;
    reference ??= l.input?.std ?? null;
    const s = l.std;
    if (!explode && nonFiniteIn(l) > 0) explode = { at: l, reference: reference ?? 1, deliberate: false, trained: false };
    // A layer whose bias outweighs what its weights make of the input sets its own scale: that
    // does not compound through depth, so it is not judged (a vanished input stays reported upstream).
    const weightPart = (l.forecastGain ?? 0) ** 2 * (l.input?.rms ?? 0) ** 2;
    const biasDominated = t.biasSecondMoment > weightPart;
    if (!t.normalizedAfter && !t.isHead && !biasDominated && reference !== null && reference > 0 && s !== null) {
      lastJudged = l;
      const trained = trainedModel || t.verdict === 'trained';
      if (!explode && s > reference * options.band) explode = { at: l, reference, deliberate: t.deliberateScale, trained };
      if (!vanish && s < reference / options.band) vanish = { at: l, reference, deliberate: t.deliberateScale, trained };
    }
    if (t.normalizedAfter) reference = null; // the next run starts at the next layer's input
  });
  if (explode) findings.push(bandFinding('activation-explodes', explode, lastJudged, options.band));
  if (vanish) findings.push(bandFinding('activation-vanishes', vanish, lastJudged, options.band));

  layers.forEach((l, i) => {
    const t = targets[i];
    const rmsIn = l.input?.rms ?? null;
    const rmsOut = l.rms ?? null;
    if (t === undefined || rmsIn === null || rmsOut === null || l.forecastGain === null) return;
    // y = Wx + b: E[y²] = fan·E[W²]·E[x²] + E[b²], so a tiny input next to a bias is not a mismatch.
    const predicted = Math.sqrt(l.forecastGain * l.forecastGain * rmsIn * rmsIn + t.biasSecondMoment);
    const ratio = predicted > 0 ? rmsOut / predicted : rmsOut > 0 ? Infinity : 1;
    if (ratio <= options.gainTolerance && ratio >= 1 / options.gainTolerance) return;
    const notFresh = trainedModel ? 'trained' : t.verdict !== 'fresh' ? t.verdict : null;
    const approximate = notFresh !== null || APPROXIMATE_OPS.has(t.op);
    const why = notFresh !== null ? ` (${notFresh}${trainedModel ? ' model' : ' weights'}: the prediction assumes fresh i.i.d. weights)` : approximate ? ` (${l.op}: the prediction is approximate for this op)` : '';
    findings.push({
      code: 'layer-gain-mismatch',
      severity: approximate ? 'info' : 'warning',
      tensor: null,
      node: l.node,
      message: `measured output rms ${fmt(rmsOut)} of ${l.node} is ${fmt(ratio)}× the ${fmt(predicted)} its weight${t.biasSecondMoment > 0 ? ' and bias' : ''} statistics predict for its input rms ${fmt(rmsIn)} (gain ${fmt(l.rmsGain ?? null)} vs ${fmt(l.forecastGain)})${why}`,
      data: { depth: l.depth, rmsIn, rmsOut, predictedRms: predicted, rmsGain: l.rmsGain ?? null, forecastGain: l.forecastGain, ratio: finite(ratio), tolerance: options.gainTolerance },
    });
  });
  return findings;
}

/** Ops for which √(fan_in·E[W²]) is only an approximation of the forward gain. */
const APPROXIMATE_OPS = new Set(['ConvTranspose', 'LSTM', 'GRU', 'RNN', 'Gather', 'Attention', 'MultiHeadAttention', 'Einsum']);

interface BandHit {
  readonly at: ProbeLayerReport;
  readonly reference: number;
  /** The static analysis calls the layer's scale deliberate. */
  readonly deliberate: boolean;
  /** The layer (or the whole model) is trained: not at init. */
  readonly trained: boolean;
}

function bandFinding(
  code: 'activation-explodes' | 'activation-vanishes',
  hit: BandHit,
  last: ProbeLayerReport | undefined,
  band: number,
): Finding {
  const { at, reference, deliberate, trained } = hit;
  const verb = code === 'activation-explodes' ? 'explode' : 'vanish';
  const nonFinite = nonFiniteIn(at) > 0;
  const note = nonFinite
    ? ' (non-finite values appear)'
    : trained
      ? ' (trained weights: this is how the trained model propagates, not an initialization problem)'
      : deliberate ? ' (the static analysis calls this layer\'s scale a deliberate convention; it relies on normalization or residuals this graph does not have)' : '';
  return {
    code,
    severity: nonFinite ? 'error' : trained || deliberate ? 'info' : 'warning',
    tensor: null,
    node: at.node,
    message: `activations ${verb} from depth ${at.depth} (at ${at.node}): measured std ${fmt(at.std)} vs ${fmt(reference)} entering the run${note}; ${fmt(last?.std ?? null)} at the last judged layer${at.forecastStd !== null ? `; forecast ${fmt(at.forecastStd)}` : ''}`,
    data: { startsAt: at.depth, layerId: at.layerId, std: at.std, reference, band, lastStd: last?.std ?? null, forecastStd: at.forecastStd },
  };
}

function nonFiniteIn(l: ProbeLayerReport): number {
  return (l.activation?.nonFinite ?? 0) + (l.input?.nonFinite ?? 0) + l.nonFinite;
}

function finite(x: number | null): number | null {
  return x !== null && Number.isFinite(x) ? x : null;
}

function fmt(x: number | null): string {
  if (x === null) return 'n/a';
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4)) return x.toExponential(2);
  return x.toPrecision(3);
}
