import type { Severity } from '../report/reportModel';
import type { ActivationOption } from './gains';

/** Numeric thresholds of the findings (all overridable). */
export interface AnalysisThresholds {
  /** Fraction of dead units above which `dead-units` is an error (else a warning). */
  readonly deadUnitsErrorFraction: number;
  /** Variance ratio (var/recommended var) beyond which a variance finding becomes an error. */
  readonly varianceErrorFactor: number;
  /** Forecast band: cumulative variance gain above / below which the signal explodes / vanishes. */
  readonly forecastExplodeAbove: number;
  readonly forecastVanishBelow: number;
  /** Consecutive layers without normalization needed before the forecast calls a trend. */
  readonly forecastMinRun: number;
}

export interface AnalysisOptions {
  /** Activation assumed after every layer ('auto' = the one found in the graph). */
  readonly activation: ActivationOption;
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
  varianceErrorFactor: 4,
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

/** Fills defaults; a varianceTolerance below 1 is read as a relative deviation (0.5 → factor 1.5... ≥ 1). */
export function resolveOptions(o: Partial<AnalysisOptions> | undefined): AnalysisOptions {
  const tol = o?.varianceTolerance;
  return {
    ...DEFAULT_OPTIONS,
    ...o,
    varianceTolerance: tol === undefined || !(tol > 0) ? 2 : tol < 1 ? 1 + tol : tol,
    maxElementsPerTensor: o?.maxElementsPerTensor !== undefined && o.maxElementsPerTensor !== null && o.maxElementsPerTensor > 0 ? Math.floor(o.maxElementsPerTensor) : null,
    thresholds: { ...DEFAULT_THRESHOLDS, ...o?.thresholds },
  };
}

/** `*` / `?` glob match (whole name). */
export function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  return re.test(name);
}
