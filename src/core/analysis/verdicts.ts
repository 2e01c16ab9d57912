import type { ModelSummary } from '../report/reportModel';
import { describeDistribution, fingerprint } from './fingerprint';
import { torchFan } from './fanRules';
import type { LayerInfo, TensorInfo } from './types';

/** Labels of the standard fan-based schemes, and conventions that are deliberate in their context. */
const FAN_SCHEMES = /^(he_|xavier_|lecun_|torch_default_uniform|orthogonal)/;

/** Whether a fingerprint label is a convention whose std legitimately differs from He/Xavier. */
export function isAcceptedConvention(label: string | null, equivalents: readonly string[] = []): boolean {
  if (label === null) return false;
  const all = [label, ...equivalents];
  return all.some((l) => FAN_SCHEMES.test(l) || l === 'normal(mean=0,std=0.02)' || l.startsWith('trunc_normal(std=0.02') || l === 'gpt2_residual' || l === 'torch_default_normal(1.0)');
}

/**
 * "Looks freshly initialized" vs "looks trained": a fresh tensor matches a known convention, or at
 * least has a clean textbook shape (normal or uniform, zero mean, per-unit std within sampling
 * noise); training leaves heavy tails, shapes between uniform and normal, mean offsets and
 * per-unit spread. BN-folded convs carry the BN scale per output channel, so only their
 * within-channel shape is judged.
 */
export function judgeLayer(l: LayerInfo): void {
  const s = l.tensor.pass?.stats;
  const best = l.fp?.matches[0];
  l.label = best?.label ?? null;
  l.equivalents = [...(best?.equivalents ?? [])];
  if (s === undefined || !(s.std > 0) || s.finiteCount < 2) {
    l.verdict = 'unknown';
    l.looksTrained = null;
    l.verdictReason = s === undefined ? 'not read' : 'constant tensor';
    return;
  }
  const n = s.finiteCount;
  const ch = l.tensor.pass?.channels ?? null;
  const k = s.excessKurtosis;
  const seN = 4.9 / Math.sqrt(n);
  const heavy = k > 4 * seN + 0.5;
  const meanOff = Math.abs(s.mean) > 6 * s.std / Math.sqrt(n) + 0.01 * s.std;
  const spreadExpected = ch !== null && ch.perUnit >= 8 ? Math.sqrt((Math.max(k, -1.2) + 2) / (4 * ch.perUnit)) : null;
  const spread = ch !== null && ch.stdSpread !== null && spreadExpected !== null && ch.count >= 8 && ch.stdSpread > 2.5 * spreadExpected + 0.05;
  if (l.folded) {
    const pk = ch?.pooledKurtosis ?? k;
    l.verdict = 'bn-folded';
    l.looksTrained = pk > 1.5;
    l.verdictReason = `Conv+BatchNorm folded by the exporter (per-channel std varies by the BN scale); within-channel kurtosis ${pk.toFixed(2)}`;
    if (best !== undefined) l.label = `fused_conv_bn(${best.label})`;
    return;
  }
  const evidence: string[] = [];
  if (heavy) evidence.push(`heavy tails (excess kurtosis ${k.toFixed(2)})`);
  if (meanOff) evidence.push(`mean offset ${s.mean.toPrecision(3)}`);
  if (spread) evidence.push(`per-unit std spread ${(ch?.stdSpread ?? 0).toFixed(3)} (noise ≈ ${(spreadExpected ?? 0).toFixed(3)})`);
  const shape = l.fp?.shape ?? 'any';
  if (shape === 'any' && n >= 200) evidence.push(`shape between uniform and normal (excess kurtosis ${k.toFixed(2)})`);
  if (best !== undefined && evidence.length === 0) {
    l.verdict = 'fresh';
    l.looksTrained = false;
    l.verdictReason = `matches ${best.label} (std ratio ${best.ratio.toFixed(3)})`;
    return;
  }
  if (n < 64) {
    l.verdict = 'unknown';
    l.looksTrained = null;
    l.verdictReason = 'too few values to judge';
    return;
  }
  if (evidence.length === 0 && shape !== 'any') {
    l.verdict = 'fresh';
    l.looksTrained = false;
    l.verdictReason = `clean ${shape} distribution matching no known scale`;
    if (l.role !== 'embedding') l.label = describeDistribution(fpInput(l)) ?? null;
    return;
  }
  l.verdict = 'trained';
  l.looksTrained = true;
  l.verdictReason = evidence.length > 0 ? evidence.join('; ') : `shape between uniform and normal (excess kurtosis ${k.toFixed(2)}) and no init convention matches`;
  l.label = 'trained';
}

function fpInput(l: LayerInfo): Parameters<typeof describeDistribution>[0] {
  const s = l.tensor.pass?.stats;
  return { count: s?.finiteCount ?? 0, mean: s?.mean ?? 0, std: s?.std ?? 0, min: s?.min ?? 0, max: s?.max ?? 0, kurtosis: s?.excessKurtosis ?? 0, pooledKurtosis: null, role: l.role, fans: [], rnnHidden: null, nLayer: null, orthogonal: null, loose: false };
}

/**
 * Ties (square layers: he_normal = he_normal_fan_out, xavier = lecun) are resolved by the label the
 * rest of the model uses unambiguously; BN-folded convs share the label that fits them best
 * together (the torchvision convention kaiming_normal fan_out wins ties).
 */
export function resolveLabels(layers: readonly LayerInfo[]): void {
  const votes = new Map<string, number>();
  // Each fresh layer spreads one vote over the labels it fits (ties share it), so an unambiguous layer counts most.
  for (const l of layers) {
    if (l.folded || l.verdict !== 'fresh' || l.label === null) continue;
    const labels = [...new Set([l.label, ...l.equivalents, ...(l.fp?.matches ?? []).flatMap((m) => [m.label, ...m.equivalents])])];
    for (const x of labels) votes.set(x, (votes.get(x) ?? 0) + 1 / labels.length);
  }
  for (const l of layers) {
    if (l.folded || l.verdict !== 'fresh' || l.label === null) continue;
    const options = [...new Set([l.label, ...l.equivalents, ...(l.fp?.matches ?? []).flatMap((m) => [m.label, ...m.equivalents])])];
    const pick = options.reduce((a, b) => ((votes.get(b) ?? 0) > (votes.get(a) ?? 0) ? b : a));
    if (pick !== l.label) { l.equivalents = options.filter((o) => o !== pick); l.label = pick; }
  }
  const folded = layers.filter((l) => l.folded && l.fp !== null);
  if (folded.length > 0) resolveFolded(folded);
  // Quantized weights: the fingerprint is of the dequantized values.
  for (const l of layers) {
    if (l.use.dequant !== undefined && l.label !== null && l.label !== 'trained') {
      const q = `quantized_${l.tensor.dtype.toLowerCase()}`;
      l.label = `${q}(${l.label})`;
      l.equivalents = l.equivalents.map((e) => `${q}(${e})`);
    }
  }
}

function resolveFolded(folded: readonly LayerInfo[]): void {
  const score = new Map<string, number>();
  for (const l of folded) for (const m of l.fp?.matches ?? []) score.set(m.label, (score.get(m.label) ?? 0) + m.score);
  score.set('he_normal_fan_out', (score.get('he_normal_fan_out') ?? 0) * 1.25);
  const top = [...score.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (top === undefined) return;
  for (const l of folded) if (l.fp?.matches.some((m) => m.label === top) === true) l.label = `fused_conv_bn(${top})`;
}

/** The model verdict, weighted by elements; "mixed" needs strong evidence on both sides. */
export function modelVerdict(layers: readonly LayerInfo[]): { verdict: ModelSummary['verdict']; reason: string } {
  let fresh = 0;
  let trained = 0;
  let strongFresh = 0;
  let strongTrained = 0;
  let nTrained = 0;
  let nJudged = 0;
  for (const l of layers) {
    const n = l.tensor.pass?.stats.finiteCount ?? 0;
    const looksTrained = l.verdict === 'trained' || (l.verdict === 'bn-folded' && l.looksTrained === true);
    const looksFresh = l.verdict === 'fresh' || (l.verdict === 'bn-folded' && l.looksTrained === false);
    if (looksTrained || looksFresh) nJudged++;
    if (looksTrained) { trained += n; nTrained++; if (n >= 4096) strongTrained++; }
    if (looksFresh) { fresh += n; if (n >= 4096 && l.fp?.matches.length) strongFresh++; }
  }
  if (fresh + trained === 0) return { verdict: 'unknown', reason: 'no layer could be judged' };
  const f = trained / (fresh + trained);
  const pct = `${Math.round(f * 100)}% of judged weights (${nTrained} of ${nJudged} layers) look trained`;
  if (strongFresh > 0 && strongTrained > 0 && f > 0.1 && f < 0.97) return { verdict: 'mixed', reason: `${pct}; ${strongFresh} large layer(s) still match an init convention` };
  // Freshly initialized models have no layer with training evidence; 15% of the layers is plenty.
  if (f >= 0.5 || (nTrained >= 2 && nTrained >= 0.15 * nJudged)) return { verdict: 'trained', reason: pct };
  return { verdict: 'fresh', reason: pct };
}

/** Labels for tensors that are not layers: constants, biases, norm parameters, quantization params. */
export function labelTensor(t: TensorInfo, layerFanIn: (t: TensorInfo) => number | null, folded: (t: TensorInfo) => boolean, roleOfInput: (t: TensorInfo) => string | null): void {
  const s = t.pass?.stats;
  if (t.role === 'constant') return;
  if (t.role === 'quant_scale' || t.role === 'quant_zero_point') { t.label = roleOfInput(t); return; }
  if (s === undefined || s.finiteCount === 0) return;
  if (folded(t)) { t.label = 'fused_conv_bn(bias)'; return; }
  if (s.std === 0 && s.nanCount === 0 && s.posInfCount + s.negInfCount === 0) {
    const v = s.mean;
    const base = v === 0 ? 'zeros' : v === 1 ? 'ones' : `constant(${+v.toPrecision(4)})`;
    // Whether the oracle says zeros or mixed(zeros) depends on torch init calls the file does not record.
    t.label = t.roles.length > 1 && v === 0 ? 'mixed(zeros)' : base;
    if (t.label === 'mixed(zeros)') t.labelEquivalents = ['zeros'];
    return;
  }
  const fi = layerFanIn(t);
  if (fi !== null && fi > 0 && s.finiteCount >= 2) {
    const bound = 1 / Math.sqrt(fi);
    if (s.max <= bound * 1.0001 && s.min >= -bound * 1.0001 && s.std > bound * 0.35 && s.std < bound * 0.85) { t.label = 'torch_default_uniform'; return; }
  }
  const dims = t.entry.tensor.dims;
  const tf = torchFan(dims);
  if (t.role === 'parameter' && tf !== null && s.finiteCount >= 64) {
    const fp = fingerprint({ count: s.finiteCount, mean: s.mean, std: s.std, min: s.min, max: s.max, kurtosis: s.excessKurtosis, pooledKurtosis: null, role: t.role, fans: [tf], rnnHidden: null, nLayer: null, orthogonal: null, loose: false });
    const best = fp.matches[0];
    if (best !== undefined) { t.label = best.label; t.labelEquivalents = [...best.equivalents]; return; }
  }
  const mean1 = t.role === 'norm_scale' && Math.abs(s.mean - 1) < 0.05 && Math.abs(s.std - 0.02) < 0.008;
  if (mean1) { t.label = 'normal(mean=1,std=0.02)'; return; }
  t.label = describeDistribution({ count: s.finiteCount, mean: s.mean, std: s.std, min: s.min, max: s.max, kurtosis: s.excessKurtosis, pooledKurtosis: null, role: t.role, fans: [], rnnHidden: null, nLayer: null, orthogonal: null, loose: false });
}
