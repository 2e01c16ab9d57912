import type { Severity } from '../report/reportModel';
import { parseActivationSetting, type ActivationSetting } from './gains';

/** Numeric thresholds of the findings (all overridable). */
export interface AnalysisThresholds {
  /** Fraction of dead units (0…1) above which `dead-units` is an error (else a warning). */
  readonly deadUnitsErrorFraction: number;
  /**
   * Factor between measured and recommended std (either direction) at or beyond which a variance
   * finding is an error instead of a warning; null = the tolerance squared (4 for the default 2).
   */
  readonly varianceErrorFactor: number | null;
  /** Forecast band: cumulative variance gain above / below which the signal explodes / vanishes. */
  readonly forecastExplodeAbove: number;
  readonly forecastVanishBelow: number;
  /** Consecutive layers without normalization needed before the forecast calls a trend. */
  readonly forecastMinRun: number;
}

export interface AnalysisOptions {
  /** Activation assumed after every layer ('auto' = the one found in the graph; `leaky_relu:0.2` sets a slope). */
  readonly activation: ActivationSetting;
  /**
   * Tolerated factor between measured and recommended std before a variance finding: 2 means
   * std within [rec/2, rec·2] is fine.
   */
  readonly varianceTolerance: number;
  /** Statistics on a deterministic sample of at most this many elements per tensor (null = exact). */
  readonly maxElementsPerTensor: number | null;
  /** Per finding code: a different severity, or 'off' to drop it. */
  readonly severityOverrides: Readonly<Record<string, Severity | 'off'>>;
  /** Tensor-name glob patterns (`*`, `?`) whose findings are dropped. */
  readonly ignore: readonly string[];
  readonly thresholds: AnalysisThresholds;
}

export const DEFAULT_THRESHOLDS: AnalysisThresholds = {
  deadUnitsErrorFraction: 0.5,
  varianceErrorFactor: null,
  forecastExplodeAbove: 100,
  forecastVanishBelow: 0.01,
  forecastMinRun: 3,
};

export const DEFAULT_OPTIONS: AnalysisOptions = {
  activation: 'auto',
  varianceTolerance: 2,
  maxElementsPerTensor: null,
  severityOverrides: {},
  ignore: [],
  thresholds: DEFAULT_THRESHOLDS,
};

/** What callers may pass: any subset of the options, thresholds included. */
export type AnalysisOptionsInput = Partial<Omit<AnalysisOptions, 'thresholds'>> & { readonly thresholds?: Partial<AnalysisThresholds> };

/** Fills defaults; a varianceTolerance below 1 is read as a relative deviation (0.5 → factor 1.5... ≥ 1). */
export function resolveOptions(o: AnalysisOptionsInput | undefined): AnalysisOptions {
  const tol = o?.varianceTolerance;
  return {
    ...DEFAULT_OPTIONS,
    ...o,
    varianceTolerance: tol === undefined || !(tol > 0) ? 2 : tol < 1 ? 1 + tol : tol,
    maxElementsPerTensor: o?.maxElementsPerTensor !== undefined && o.maxElementsPerTensor !== null && o.maxElementsPerTensor > 0 ? Math.floor(o.maxElementsPerTensor) : null,
    activation: parseActivationSetting(String(o?.activation ?? 'auto')) ?? 'auto',
    thresholds: resolveThresholds(o?.thresholds),
  };
}

/** Each threshold given as a usable number, else its default (an unset key never clobbers one). */
export function resolveThresholds(t: Partial<AnalysisThresholds> | undefined): AnalysisThresholds {
  const num = (v: unknown, ok: (x: number) => boolean, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) && ok(v) ? v : fallback);
  const d = DEFAULT_THRESHOLDS;
  const vef = t?.varianceErrorFactor;
  return {
    deadUnitsErrorFraction: num(t?.deadUnitsErrorFraction, (x) => x >= 0 && x <= 1, d.deadUnitsErrorFraction),
    varianceErrorFactor: typeof vef === 'number' && Number.isFinite(vef) && vef >= 1 ? vef : null,
    forecastExplodeAbove: num(t?.forecastExplodeAbove, (x) => x > 1, d.forecastExplodeAbove),
    forecastVanishBelow: num(t?.forecastVanishBelow, (x) => x > 0 && x < 1, d.forecastVanishBelow),
    forecastMinRun: Math.floor(num(t?.forecastMinRun, (x) => x >= 1, d.forecastMinRun)),
  };
}

/** The std factor at which a variance finding becomes an error (the option, or tolerance²). */
export function varianceErrorFactor(o: Pick<AnalysisOptions, 'varianceTolerance' | 'thresholds'>): number {
  return o.thresholds.varianceErrorFactor ?? o.varianceTolerance * o.varianceTolerance;
}

/** `*` / `?` glob match (whole name). */
export function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  return re.test(name);
}
