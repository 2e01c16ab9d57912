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
 * Findings of the probe. The "signal" at a depth is the layer output (what the forecast
 * predicts), or the activation output when a normalization sits in between (the layer's own
 * scale is then irrelevant: the norm resets it). It is judged against the reference std (1 for
 * Gaussian float inputs, else the first layer's signal, e.g. an embedding's) with
 * `options.band`. Output heads (layers feeding a graph output with no activation) are not
 * judged: small logits at init are deliberate.
 */
export function probeFindings(
  layers: readonly ProbeLayerReport[],
  targets: readonly ProbeTarget[],
  floatInputs: boolean,
  options: Pick<ProbeOptions, 'band' | 'gainTolerance'>,
): Finding[] {
  const findings: Finding[] = [];
  const normalized = new Set(targets.filter((t) => t.normalizedAfter).map((t) => t.layerId));
  const judged = layers.filter((_, i) => !(targets[i]?.isHead ?? false));
  const signal = (l: ProbeLayerReport) => (l.activation && normalized.has(l.layerId) ? l.activation.std : l.std);
  const first = judged[0];
  const reference = floatInputs ? 1 : (first ? signal(first) : null);
  if (reference !== null && reference > 0) {
    const explode = judged.find((l) => {
      const s = signal(l);
      return nonFiniteIn(l) > 0 || (s !== null && s > reference * options.band);
    });
    const vanish = judged.find((l) => {
      const s = signal(l);
      return s !== null && s < reference / options.band;
    });
    const last = judged[judged.length - 1];
    if (explode) findings.push(bandFinding('activation-explodes', explode, last, reference, signal, options.band));
    if (vanish) findings.push(bandFinding('activation-vanishes', vanish, last, reference, signal, options.band));
  }
  for (const l of layers) {
    const rmsGain = l.rmsGain ?? null;
    if (rmsGain === null || l.forecastGain === null) continue;
    const ratio = l.forecastGain > 0 ? rmsGain / l.forecastGain : rmsGain > 0 ? Infinity : 1;
    if (ratio > options.gainTolerance || ratio < 1 / options.gainTolerance) {
      findings.push({
        code: 'layer-gain-mismatch',
        severity: 'warning',
        tensor: null,
        node: l.node,
        message: `measured gain ${fmt(rmsGain)} (rms out / rms in) of ${l.node} is ${fmt(ratio)}× the ${fmt(l.forecastGain)} its weight statistics predict (input std ${fmt(l.input?.std ?? null)} → output std ${fmt(l.std)})`,
        data: { depth: l.depth, rmsGain, gain: l.gain, forecastGain: l.forecastGain, ratio: finite(ratio), tolerance: options.gainTolerance },
      });
    }
  }
  return findings;
}

function bandFinding(
  code: 'activation-explodes' | 'activation-vanishes',
  at: ProbeLayerReport,
  last: ProbeLayerReport | undefined,
  reference: number,
  signal: (l: ProbeLayerReport) => number | null,
  band: number,
): Finding {
  const s = signal(at);
  const end = last ? signal(last) : null;
  const verb = code === 'activation-explodes' ? 'explode' : 'vanish';
  const where = `at ${at.node}`;
  const nonFinite = nonFiniteIn(at) > 0 ? ' (non-finite values appear)' : '';
  return {
    code,
    severity: code === 'activation-explodes' && nonFinite ? 'error' : 'warning',
    tensor: null,
    node: at.node,
    message: `activations ${verb} from depth ${at.depth} (${where}): measured std ${fmt(s)} vs input std ${fmt(reference)}${nonFinite}; ${fmt(end)} at the last judged layer${at.forecastStd !== null ? `; forecast ${fmt(at.forecastStd)}` : ''}`,
    data: { startsAt: at.depth, layerId: at.layerId, std: s, reference, band, lastStd: end, forecastStd: at.forecastStd },
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
