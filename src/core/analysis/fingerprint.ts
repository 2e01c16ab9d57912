import type { SchemeMatch } from '../report/reportModel';
import type { FanPair } from './fanRules';
import { heStd, lecunStd, torchDefaultStd, xavierStd } from './schemes';

/** Distribution families: `trunc` is a normal cut at ±2σ (Keras / timm), `heavy` has tails heavier than normal (trained, Laplace-like). */
export type Family = 'normal' | 'uniform' | 'trunc' | 'heavy' | 'any';

/** The report's name of an observed shape. */
export type DistributionShape = 'uniform' | 'normal' | 'truncated-normal' | 'heavy-tailed' | 'unknown';
export function distributionName(f: Family): DistributionShape {
  switch (f) {
    case 'uniform': return 'uniform';
    case 'normal': return 'normal';
    case 'trunc': return 'truncated-normal';
    case 'heavy': return 'heavy-tailed';
    default: return 'unknown';
  }
}

interface Candidate {
  readonly label: string;
  readonly std: number;
  readonly mean: number;
  readonly family: Family;
  /** Labels that produce the same distribution (e.g. PyTorch trunc_normal with absolute cut-offs). */
  readonly equivalents?: readonly string[];
}

/** What the fingerprint needs to know about a tensor and its use. */
export interface FingerprintInput {
  readonly count: number;
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
  readonly kurtosis: number;
  /** Shape evidence robust to per-unit rescaling (Conv+BN folding): pooled within-unit kurtosis. */
  readonly pooledKurtosis: number | null;
  readonly role: string;
  /** Fan pairs to try (data-flow and PyTorch conventions). */
  readonly fans: readonly FanPair[];
  /** Hidden size for recurrent tensors (PyTorch RNN default U(±1/√H)). */
  readonly rnnHidden: number | null;
  /** GPT-2 depth for the residual-projection rule 0.02/√(2·n_layer). */
  readonly nLayer: number | null;
  readonly orthogonal: { readonly gain: number; readonly deviation: number } | null;
  /** Loose std tolerance (BN-folded convs, whose std carries the unknown BN scale). */
  readonly loose: boolean;
}

export interface Fingerprint {
  /** Candidates that fit, best first. */
  readonly matches: readonly (SchemeMatch & { readonly equivalents: readonly string[]; readonly family: Family })[];
  /** Every candidate considered with its ratio, closest first (for the report). */
  readonly candidates: readonly SchemeMatch[];
  /** Observed shape: uniform, normal, truncated normal, heavy-tailed, or undetermined (small tensors, in-between shapes). */
  readonly shape: Family;
}

const SQRT3 = Math.sqrt(3);

export function stdLabel(x: number): string {
  return String(Number(x.toFixed(6)));
}

function fanCandidates(f: FanPair, out: Candidate[]): void {
  const he = heStd(f.fanIn);
  const heOut = heStd(f.fanOut);
  const xa = xavierStd(f);
  const le = lecunStd(f.fanIn);
  out.push(
    { label: 'he_normal', std: he, mean: 0, family: 'normal' },
    { label: 'he_normal_fan_out', std: heOut, mean: 0, family: 'normal' },
    { label: 'he_uniform', std: he, mean: 0, family: 'uniform' },
    { label: 'he_uniform_fan_out', std: heOut, mean: 0, family: 'uniform' },
    { label: 'xavier_normal', std: xa, mean: 0, family: 'normal' },
    { label: 'xavier_uniform', std: xa, mean: 0, family: 'uniform' },
    { label: 'xavier_normal(gain=1.667)', std: (5 / 3) * xa, mean: 0, family: 'normal' },
    { label: 'xavier_uniform(gain=1.667)', std: (5 / 3) * xa, mean: 0, family: 'uniform' },
    { label: 'xavier_uniform(gain=1.414)', std: Math.SQRT2 * xa, mean: 0, family: 'uniform' },
    { label: 'lecun_normal', std: le, mean: 0, family: 'normal' },
    { label: 'lecun_uniform', std: le, mean: 0, family: 'uniform' },
    { label: 'torch_default_uniform', std: torchDefaultStd(f.fanIn), mean: 0, family: 'uniform' },
  );
}

function fixedCandidates(input: FingerprintInput, out: Candidate[]): void {
  const trunc = (s: number): string[] => (input.min >= -2 && input.max <= 2 ? [`trunc_normal(std=${stdLabel(s)},a=-2,b=2)`] : []);
  for (const s of [0.02, 0.01, 0.001, 0.05, 0.1]) out.push({ label: `normal(mean=0,std=${stdLabel(s)})`, std: s, mean: 0, family: 'normal', equivalents: trunc(s) });
  if (input.nLayer !== null && input.nLayer > 0) {
    const s = 0.02 / Math.sqrt(2 * input.nLayer);
    out.push({ label: `normal(mean=0,std=${stdLabel(s)})`, std: s, mean: 0, family: 'normal', equivalents: [...trunc(s), 'gpt2_residual'] });
  }
  out.push({ label: input.role === 'embedding' ? 'torch_default_normal(1.0)' : 'normal(mean=0,std=1)', std: 1, mean: 0, family: 'normal' });
  if (input.role === 'embedding') out.push({ label: 'uniform(-0.05,0.05)', std: 0.05 / SQRT3, mean: 0, family: 'uniform' });
  if (input.role === 'norm_scale') {
    out.push({ label: 'normal(mean=1,std=0.02)', std: 0.02, mean: 1, family: 'normal' });
    out.push({ label: 'uniform(0,1)', std: 1 / Math.sqrt(12), mean: 0.5, family: 'uniform' });
  }
  if (input.rnnHidden !== null && input.rnnHidden > 0) out.push({ label: 'torch_default_uniform', std: 1 / Math.sqrt(3 * input.rnnHidden), mean: 0, family: 'uniform' });
}

/**
 * Observed distribution shape from kurtosis and the max/std ratio (uniform: exactly √3; normal cut
 * at ±2σ: 2.27). Heavy-tailed: excess kurtosis clearly above a normal's 0 (above 1 and beyond
 * 4 standard errors + 0.5, the evidence the trained verdict uses), as trained weights and
 * Laplace-like values have.
 */
export function observedShape(x: Pick<FingerprintInput, 'count' | 'mean' | 'std' | 'min' | 'max' | 'kurtosis' | 'pooledKurtosis'>, loose: boolean): Family {
  const n = x.count;
  if (n < 24 || !(x.std > 0)) return 'any';
  const k = loose && x.pooledKurtosis !== null ? x.pooledKurtosis : x.kurtosis;
  const maxRatio = Math.max(x.max - x.mean, x.mean - x.min) / x.std;
  const seU = 1.2 / Math.sqrt(n);
  if (!loose && maxRatio <= SQRT3 * (1 + 2.5 / Math.sqrt(n)) + 0.02 && Math.abs(k + 1.2) < 4 * seU + 0.08) return 'uniform';
  if (loose && Math.abs(k + 1.2) < 4 * seU + 0.15) return 'uniform';
  const seN = 4.9 / Math.sqrt(n);
  if (n >= 100 && k > Math.max(1, 4 * seN + 0.5)) return 'heavy';
  // Truncated normal at ±2σ (Keras / TF default): excess kurtosis ≈ −0.63 and a hard cut-off at 2.27σ.
  if (!loose && n >= 200 && maxRatio <= 2.4 && Math.abs(k + 0.63) < 4 * 2.2 / Math.sqrt(n) + 0.1) return 'trunc';
  if (Math.abs(k) < 4 * seN + 0.1 && (loose || maxRatio > SQRT3 * 1.05)) return 'normal';
  return n < 200 ? 'any' : k < -0.3 ? 'any' : 'normal';
}

/**
 * Which known initialization convention the tensor matches: ratio of its std to each
 * candidate's std (within the sampling error of a std estimate for this many values) and its
 * distribution shape. Orthogonal matrices are recognized from WWᵀ ≈ g²I instead.
 */
export function fingerprint(input: FingerprintInput): Fingerprint {
  const cands: Candidate[] = [];
  for (const f of uniqueFans(input.fans)) fanCandidates(f, cands);
  fixedCandidates(input, cands);
  const shape = observedShape(input, input.loose);
  const kObs = Number.isFinite(input.kurtosis) ? Math.max(input.kurtosis, -1.2) : 0;
  const se = Math.sqrt((kObs + 2) / (4 * Math.max(1, input.count)));
  const tol = input.loose ? 0.3 : Math.max(0.02, 3.5 * se);
  const seMean = input.std / Math.sqrt(Math.max(1, input.count));
  const scored = new Map<string, SchemeMatch & { equivalents: string[]; family: Family; d: number }>();
  const all: SchemeMatch[] = [];
  for (const c of cands) {
    if (!(c.std > 0) || !(input.std >= 0)) continue;
    const ratio = input.std / c.std;
    const lr = Math.log(ratio);
    const meanOff = Math.abs(input.mean - c.mean) / Math.max(seMean * 5, c.std * 0.2);
    const shapeOk = shape === 'any' || c.family === 'any' || c.family === shape || (shape === 'trunc' && c.family === 'normal');
    const d = (lr / tol) ** 2 + (meanOff > 1 ? meanOff * meanOff : 0) + (shapeOk ? 0 : 4);
    all.push({ label: c.label, ratio, score: Math.exp(-d / 2) });
    if (d > 1 || !Number.isFinite(d)) continue;
    const prev = scored.get(c.label);
    if (prev === undefined || d < prev.d) scored.set(c.label, { label: c.label, ratio, score: Math.exp(-d / 2), equivalents: [...(c.equivalents ?? [])], family: c.family, d });
  }
  if (input.orthogonal !== null && input.orthogonal.deviation < 5e-3 && input.role !== 'embedding') {
    const g = input.orthogonal.gain;
    const label = Math.abs(g - 1) < 0.01 ? 'orthogonal' : `orthogonal(gain=${+g.toFixed(3)})`;
    scored.set(label, { label, ratio: 1, score: 1, equivalents: [], family: 'any', d: -1 });
  }
  const matches = [...scored.values()].sort((a, b) => a.d - b.d);
  // Candidates with the same std and family are indistinguishable: list them as equivalents.
  const best = matches[0];
  if (best !== undefined) {
    for (const m of matches.slice(1)) {
      if (m.family === best.family && Math.abs(Math.log(m.ratio / best.ratio)) < 0.01 && !best.equivalents.includes(m.label)) best.equivalents.push(m.label);
    }
  }
  const candidates = all.sort((a, b) => Math.abs(Math.log(a.ratio)) - Math.abs(Math.log(b.ratio))).slice(0, 8);
  return { matches: matches.map(({ d: _d, ...m }) => m), candidates, shape };
}

function uniqueFans(fans: readonly FanPair[]): FanPair[] {
  const out: FanPair[] = [];
  for (const f of fans) if (f.fanIn > 0 && f.fanOut > 0 && !out.some((o) => o.fanIn === f.fanIn && o.fanOut === f.fanOut)) out.push(f);
  return out;
}

/** Descriptor for tensors that match no named convention, e.g. `uniform(0.5,1.5)` / `normal(mean=0,std=0.1)`. */
export function describeDistribution(x: FingerprintInput): string | null {
  if (!(x.std > 0) || x.count < 8) return null;
  const shape = observedShape(x, false);
  const range = x.max - x.min;
  if (shape === 'uniform' || (shape === 'any' && range < 3.6 * x.std && x.kurtosis < -0.8)) {
    // Bounds estimated one spacing beyond the extremes, rounded to half the range's decade.
    const pad = range / Math.max(1, x.count - 1);
    const step = Math.pow(10, Math.floor(Math.log10(range))) / 2;
    const r = (v: number): number => +(Math.round(v / step) * step).toPrecision(3);
    return `uniform(${r(x.min - pad)},${r(x.max + pad)})`;
  }
  const m = Math.abs(x.mean) < 3 * x.std / Math.sqrt(x.count) ? 0 : +x.mean.toPrecision(2);
  return `normal(mean=${m},std=${niceStd(x.std)})`;
}

/** Nearest of 1, 2, 5 × 10^k in log scale: small samples cannot pin a std more finely. */
function niceStd(s: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(s)));
  const opts = [1, 2, 5, 10].map((m) => m * p);
  return +opts.reduce((a, b) => (Math.abs(Math.log(b / s)) < Math.abs(Math.log(a / s)) ? b : a)).toPrecision(3);
}
