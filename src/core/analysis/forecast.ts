import type { VarianceForecast } from '../report/reportModel';
import { varianceFactor, type Activation } from './gains';
import type { AnalysisThresholds } from './options';
import type { LayerInfo } from './types';

/** Second moment after an activation for a zero-mean input of second moment q (tanh saturates). */
function activate(a: Activation, q: number): number {
  if (a.kind === 'tanh') return q / (1 + 1.54 * q);
  if (a.kind === 'sigmoid' || a.kind === 'hardsigmoid') return 0.25 + q / 16;
  if (a.kind === 'softmax') return Math.min(q, 1);
  return varianceFactor(a) * q;
}

/**
 * Forecast of activation variance along the main path (layers outside residual branches, in
 * graph order, head excluded from the verdict): q ← act(fan_in·E[W²]·q), reset to 1 after a
 * normalization. A trend is called only over a run of at least `forecastMinRun` layers without
 * normalization; shorter drifts are what the per-layer variance findings describe.
 */
export function forecastVariance(layers: readonly LayerInfo[], t: AnalysisThresholds): VarianceForecast {
  const main = layers.filter((l) => !l.inResidualBranch && l.role !== 'embedding' && l.fan !== null && l.tensor.pass !== null && Number.isFinite(l.tensor.pass.stats.std));
  const points: { layerId: string; depth: number; gain: number; cumulative: number }[] = [];
  let q = 1;
  let run = 0;
  let verdict: VarianceForecast['verdict'] = main.length === 0 ? 'unknown' : 'stable';
  let startsAt: number | null = null;
  let firstOut: number | null = null;
  main.forEach((l, depth) => {
    const s = l.tensor.pass?.stats;
    const ms = s === undefined ? 0 : s.std * s.std + s.mean * s.mean;
    const fanIn = l.fan?.fanIn ?? 0;
    if (l.normalizedBefore) { q = 1; run = 0; firstOut = null; }
    const pre = fanIn * ms * q;
    // A folded conv had a BatchNorm during training: its output was normalized.
    const next = activate(l.act.activation, l.folded ? 1 : pre);
    // Kept finite so the report stays JSON-safe however deep the explosion goes.
    const bounded = Number.isFinite(next) ? Math.min(next, 1e300) : next > 0 ? 1e300 : 0;
    const gain = q > 0 ? Math.min(bounded / q, 1e300) : 0;
    q = bounded;
    run++;
    points.push({ layerId: l.id, depth, gain, cumulative: q });
    const out = q > t.forecastExplodeAbove || q < t.forecastVanishBelow;
    if (out && firstOut === null) firstOut = depth;
    if (!out) firstOut = null;
    if (verdict === 'stable' && out && run >= t.forecastMinRun && !l.head && firstOut !== null) {
      verdict = q > t.forecastExplodeAbove ? 'exploding' : 'vanishing';
      startsAt = firstOut;
    }
  });
  return { points, verdict, startsAt };
}
