import type { Finding, Severity, VarianceForecast } from '../report/reportModel';
import type { FindingCode } from './findingCodes';
import type { GraphIndex } from './graphIndex';
import { varianceErrorFactor, type AnalysisOptions } from './options';
import { residualAddAfter, type Structure } from './structure';
import type { LayerInfo, TensorInfo } from './types';
import { isAcceptedConvention } from './verdicts';

type Data = NonNullable<Finding['data']>;

function make(code: FindingCode, severity: Severity, tensor: string | null, node: string | null, message: string, data?: Data, intentional = false): Finding {
  return { code, severity, tensor, node, message, ...(intentional ? { intentional: true } : {}), ...(data !== undefined ? { data } : {}) };
}

const fmt = (x: number): string => (x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(4) : x.toExponential(3));
const KERNEL = new Set(['weight', 'rnn_input_weight', 'rnn_recurrent_weight']);

/** Findings about a tensor as a whole (once per tensor, whatever its number of uses). */
export function tensorFindings(t: TensorInfo, myLayers: readonly LayerInfo[], layers: readonly LayerInfo[], index: GraphIndex, structure: Structure): Finding[] {
  const name = t.entry.name;
  // The node named in messages: the use without an Identity in between, else the earliest one.
  const firstUse = t.uses.find((u) => u.direct) ?? [...t.uses].sort((x, y) => x.use.node.order - y.use.node.order)[0];
  const firstNode = firstUse?.use.node.label ?? null;
  if (t.refusal !== null) return [make('tensor-refused', 'warning', name, firstNode, `tensor "${name}" was not analyzed: ${t.refusal.message} (rule ${t.refusal.rule})`, { rule: t.refusal.rule })];
  if (t.skipped !== null) return t.uses.length > 0 || t.isFloat ? [make('tensor-skipped', 'info', name, firstNode, `tensor "${name}" skipped: ${t.skipped}`)] : [];
  const s = t.pass?.stats;
  if (s === undefined || s.count === 0) return [];
  const out: Finding[] = [];
  const nonFinite = s.nanCount + s.posInfCount + s.negInfCount;
  // ±Inf in constants is how exporters write attention masks; only NaN is a defect there.
  if (nonFinite > 0 && (t.role !== 'constant' || s.nanCount > 0)) {
    out.push(make('weight-non-finite', 'error', name, firstNode, `"${name}" has ${s.nanCount} NaN and ${s.posInfCount + s.negInfCount} infinite values of ${s.count}: the forward pass will produce NaN`, { nanCount: s.nanCount, infCount: s.posInfCount + s.negInfCount }));
  }
  // A single value is trivially "constant": nothing to say about symmetry.
  if (s.finiteCount === 0 || s.std !== 0 || s.count < 2) return out;
  const value = s.mean;
  const kernelLayers = myLayers.filter((l) => KERNEL.has(l.role));
  if (kernelLayers.length > 0) {
    const l = kernelLayers[0] as LayerInfo;
    const node = l.use.node.label;
    if (value === 0) {
      if (/lora_?b|lora_up/i.test(name) || /lora_?b|lora_up/i.test(node)) out.push(make('intentional-lora-b', 'info', name, node, `"${name}" is zero: LoRA B starts at 0 so the adapted model equals the base model at step 0`, undefined, true));
      else if (l.head) out.push(make('intentional-zero-head', 'info', name, node, `"${name}" (output layer) is all zeros: a zero-initialized head (Fixup / ViT JAX-style) is deliberate; gradients still reach it`, undefined, true));
      else if (l.residualEnd) out.push(make('intentional-zero-residual-branch', 'info', name, node, `"${name}" is all zeros and ends a residual branch: the block starts as the identity (Fixup / SkipInit / zero convolution)`, undefined, true));
      else out.push(make('weight-all-zero', 'error', name, node, `"${name}" is all zeros (${s.count} values): every unit computes the same output and gets the same gradient, so symmetry is never broken`, { count: s.count }));
    } else {
      out.push(make('weight-constant', 'error', name, node, `"${name}" is the constant ${fmt(value)} everywhere: all units stay identical during training`, { value }));
    }
    return out;
  }
  if (myLayers.some((l) => l.role === 'embedding')) {
    out.push(make('weight-constant', 'warning', name, firstNode, `embedding table "${name}" is the constant ${fmt(value)}: every token gets the same vector`, { value }));
    return out;
  }
  const normScaleUses = t.uses.filter((u) => u.role === 'norm_scale');
  if (normScaleUses.length > 0 && value === 0) {
    const residual = normScaleUses.filter((u) => residualAddAfter(index, u.use.node, structure) !== undefined);
    if (residual.length > 0) {
      out.push(make('intentional-zero-gamma-residual', 'info', name, residual[0]?.use.node.label ?? null, `"${name}" is a zero scale on the last normalization of ${residual.length} residual block(s): the blocks start as the identity (zero_init_residual, Goyal et al. 2017)`, { blocks: residual.length, nodes: residual.map((u) => u.use.node.label) }, true));
    }
    const plain = normScaleUses.filter((u) => !residual.includes(u));
    if (plain.length > 0) out.push(make('weight-all-zero', 'warning', name, plain[0]?.use.node.label ?? null, `"${name}" is a zero normalization scale outside a residual block: the normalized output is constant`, { nodes: plain.map((u) => u.use.node.label) }));
  } else if (normScaleUses.length > 0 && value === 1 && t.uses.every((u) => u.role === 'norm_scale' || u.role === 'norm_running_var')) {
    out.push(make('intentional-unit-norm-scale', 'info', name, firstNode, `"${name}" is all ones: the standard normalization init (γ = 1)`, undefined, true));
  } else if (normScaleUses.length > 0 && value > 0 && value < 0.1) {
    out.push(make('intentional-convention', 'info', name, firstNode, `"${name}" is the constant ${fmt(value)}: a small residual scale (LayerScale / ReZero style) is deliberate`, { value }, true));
  }
  if (value === 0 && t.uses.some((u) => u.role === 'bias' || u.role === 'norm_bias')) {
    const relu = t.uses.some((u) => {
      if (u.role !== 'bias') return false;
      // A bias Add after a MatMul belongs to the layer producing the Add's other operand.
      const other = u.use.node.node.opType === 'Add' ? index.producerOf(u.use.node.node.inputs[1 - u.use.inputIndex] ?? '', u.use.node.scope) : undefined;
      return layers.some((l) => (l.use.node === u.use.node || l.use.node === other) && l.act.activation.kind === 'relu');
    });
    if (relu) out.push(make('zero-bias-before-relu', 'hint', name, firstNode, `"${name}" is zero and feeds a ReLU: if units die early, a small positive bias (e.g. 0.01) keeps them active at the start`));
    else out.push(make('intentional-zero-bias', 'info', name, firstNode, `"${name}" is zero: the usual bias / shift init`, undefined, true));
  }
  return out;
}

/** Findings about one layer use: dead and identical units, variance against the recommendation. */
export function layerFindings(l: LayerInfo, options: AnalysisOptions, forecast: VarianceForecast, biasOf: (l: LayerInfo) => string | null, modelTrained: boolean): Finding[] {
  const out: Finding[] = [];
  const s = l.tensor.pass?.stats;
  const name = l.tensor.entry.name;
  const node = l.use.node.label;
  if (s === undefined || !(s.std > 0) || !Number.isFinite(s.std)) return out;
  // In a trained model, a layer matching no init convention is a fixed filter / buffer or a trained
  // layer with a clean shape, not a badly initialized one: its findings are context too.
  const unmatched = (l.fp?.matches.length ?? 0) === 0;
  const trainedLike = l.verdict === 'trained' || l.verdict === 'bn-folded' || (modelTrained && unmatched);
  const ch = l.tensor.pass?.channels ?? null;
  if (ch !== null && ch.dead.length > 0 && ch.dead.length < ch.count) {
    if (l.role === 'embedding') {
      if (ch.dead.length <= 2) out.push(make('intentional-padding-row', 'info', name, node, `embedding rows ${ch.dead.join(', ')} of "${name}" are zero: padding_idx rows are deliberate`, { rows: ch.dead }, true));
    } else {
      const frac = ch.dead.length / ch.count;
      const bias = biasOf(l);
      const sev: Severity = trainedLike ? 'info' : frac > options.thresholds.deadUnitsErrorFraction ? 'error' : 'warning';
      out.push(make('dead-units', sev, name, node, `${ch.dead.length} of ${ch.count} output units of "${name}" are entirely zero (${ch.dead.slice(0, 12).join(', ')}${ch.dead.length > 12 ? ', …' : ''}): they never respond to the input`, { units: ch.dead.slice(0, 256), count: ch.dead.length, of: ch.count, ...(bias !== null ? { bias, tensors: [name, bias] } : {}) }));
    }
  }
  // Tiny units (or few quantization levels) coincide by chance; symmetry needs real vectors.
  const minUnit = l.use.dequant !== undefined || !l.tensor.isFloat ? 16 : 4;
  if (ch !== null && ch.identical.length > 0 && l.role !== 'embedding' && ch.perUnit >= minUnit) {
    const groups = ch.identical.slice(0, 16);
    const n = ch.identical.reduce((a, g) => a + g.length, 0);
    out.push(make('identical-units', trainedLike ? 'info' : 'warning', name, node, `${n} output units of "${name}" form ${ch.identical.length} group(s) of identical weights (e.g. ${(groups[0] ?? []).slice(0, 6).join(' = ')}): symmetry was not broken`, { groups: groups.map((g) => g.slice(0, 32).join(',')), units: n }));
  }
  const rec = l.rec.std;
  if (rec === null || !(rec > 0) || l.role === 'embedding') return out;
  // Integer weights with no scale in the graph (MatMulInteger, ConvInteger): no float std to compare.
  if (!l.tensor.isFloat && l.tensor.pass?.storedStats === undefined) return out;
  const ratio = s.std / rec;
  const factor = Math.max(ratio, 1 / ratio);
  if (factor <= options.varianceTolerance) return out;
  const high = ratio > 1;
  const code: FindingCode = high ? 'variance-too-high' : 'variance-too-low';
  const data: Data = { ratio, actual: s.std, expected: rec, scheme: l.rec.scheme ?? '', fanIn: l.fan?.fanIn ?? null, fanOut: l.fan?.fanOut ?? null };
  const base = `std ${fmt(s.std)} is ${fmt(ratio)}× the recommended ${fmt(rec)} (${l.rec.reason})`;
  if (trainedLike) {
    const why = l.verdict === 'bn-folded' ? 'the layer looks BN-folded' : l.verdict === 'trained' ? 'the layer looks trained' : 'the model looks trained and this layer matches no init convention';
    out.push(make('variance-context', 'info', name, node, `${base}; ${why}, so this is context, not an init problem`, data));
  } else if (!unmatched && isAcceptedConvention(l.label, l.equivalents)) {
    out.push(make('intentional-convention', 'info', name, node, `${base}; it matches ${l.label}, a deliberate convention`, data, true));
  } else if (!high && l.head && forecast.verdict !== 'vanishing') {
    out.push(make('intentional-small-head', 'info', name, node, `${base}; a small output-layer init (e.g. torchvision N(0, 0.01)) does not compound through depth`, data, true));
  } else if (l.act.normalizedAfter) {
    out.push(make(code, 'info', name, node, `${base}; a normalization follows, so the scale does not propagate forward`, data));
  } else if (!high && l.inResidualBranch) {
    out.push(make(code, 'info', name, node, `${base}; inside a residual branch, a down-scaled branch is common (Fixup, GPT-2)`, data));
  } else {
    const sev: Severity = factor >= varianceErrorFactor(options) ? 'error' : 'warning';
    out.push(make(code, sev, name, node, `${base}: activations ${high ? 'grow' : 'shrink'} by ≈${fmt(factor * factor)}× in variance at this layer`, data));
  }
  return out;
}

/** The model-level forecast finding (warning only when layers on the failing run are flagged themselves). */
export function forecastFindings(forecast: VarianceForecast, layers: readonly LayerInfo[]): Finding[] {
  if (forecast.verdict !== 'exploding' && forecast.verdict !== 'vanishing' || forecast.startsAt === null) return [];
  const p = forecast.points[forecast.startsAt];
  const layer = layers.find((l) => l.id === p?.layerId);
  const flagged = layers.some((l) => l.findings.some((f) => (f.code === 'variance-too-high' || f.code === 'variance-too-low' || f.code === 'weight-all-zero' || f.code === 'weight-constant') && (f.severity === 'warning' || f.severity === 'error')));
  const code: FindingCode = forecast.verdict === 'exploding' ? 'activation-explodes-forecast' : 'activation-vanishes-forecast';
  const last = forecast.points[forecast.points.length - 1];
  return [make(code, flagged ? 'warning' : 'info', null, layer?.use.node.label ?? null,
    `activation variance is forecast to ${forecast.verdict === 'exploding' ? 'explode' : 'vanish'} along the main path from depth ${forecast.startsAt} (${layer?.use.node.label ?? '?'}); ×${fmt(last?.cumulative ?? 0)} after ${forecast.points.length} layers`,
    { startsAt: forecast.startsAt, cumulative: last?.cumulative ?? null })];
}
