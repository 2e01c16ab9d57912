import type { Finding } from '../report/reportModel';

/**
 * The `probe` section of the JSON report: what a forward run with synthetic inputs measured.
 * JSON-safe like the rest of the report (non-finite numbers become null).
 */
export interface ProbeReport {
  /** The synthetic inputs fed to the model. */
  readonly inputs: readonly ProbeInputReport[];
  readonly seed: number;
  readonly batches: number;
  /** Values used for symbolic dimensions, by dimension name (or `input:axis` when unnamed). */
  readonly dims: Readonly<Record<string, number>>;
  readonly layers: readonly ProbeLayerReport[];
  /** Findings with codes `activation-explodes`, `activation-vanishes`, `layer-gain-mismatch`. */
  readonly findings: readonly Finding[];
  readonly timing: ProbeTiming;
  readonly runtime: { readonly name: 'onnxruntime-node'; readonly version: string };
  /** How the numbers are defined (for readers of the JSON). */
  readonly notes: readonly string[];
}

export interface ProbeInputReport {
  readonly name: string;
  readonly dtype: string;
  /** The concrete shape fed (symbolic dims replaced). */
  readonly shape: readonly number[];
  /** `normal(0,1)`, `uniform-int[0,V)`, `ones`, `zeros`. */
  readonly distribution: string;
  /** Why this distribution (e.g. "ids for Gather /emb/Gather over a 1000-row table"). */
  readonly reason: string;
}

/** Mean and std of one probed tensor pooled over all batches, with the spread across batches. */
export interface ProbeTensorReport {
  readonly name: string;
  readonly mean: number | null;
  readonly std: number | null;
  /** Root mean square √(E[x²]) = √(std² + mean²): the quantity the variance forecast propagates. */
  readonly rms?: number | null;
  /** min / max of the per-batch std, and the std of the per-batch stds. */
  readonly stdSpread: { readonly min: number | null; readonly max: number | null; readonly sd: number | null };
  readonly min: number | null;
  readonly max: number | null;
  /** NaN / ±Inf values seen. */
  readonly nonFinite: number;
}

export interface ProbeLayerReport {
  /** The static report's layer id. */
  readonly layerId: string;
  /** 0-based position among the probed layers (graph order). */
  readonly depth: number;
  readonly node: string;
  readonly op: string;
  /** The layer's output tensor (before its activation). */
  readonly output: string;
  readonly mean: number | null;
  readonly std: number | null;
  readonly stdSpread: ProbeTensorReport['stdSpread'];
  /** Root mean square of the layer output. */
  readonly rms?: number | null;
  /** NaN / ±Inf values in the layer output. */
  readonly nonFinite: number;
  /** The data tensor entering the layer, as measured in the forward run (null if not float). */
  readonly input: ProbeTensorReport | null;
  /** The activation after the layer (found by the static analysis), as measured. */
  readonly activation: (ProbeTensorReport & { readonly node: string; readonly op: string }) | null;
  /** std(output) ÷ std(input) in the forward run; null when the input std is 0 or unknown. */
  readonly gain: number | null;
  /**
   * rms(output) ÷ rms(input) in the forward run: what `forecastGain` predicts. For fresh i.i.d.
   * zero-mean weights it matches whatever the input's correlation or mean, so a mismatch means the
   * weights themselves interact with the signal (mean, shared rows, trained structure).
   */
  readonly rmsGain?: number | null;
  /** std(output) when the layer alone is fed N(0,1) input of the same shape (works past dead layers). */
  readonly isolatedGain: number | null;
  /** The static forecast's std at this depth (√ cumulative variance), comparable to `std`. */
  readonly forecastStd: number | null;
  /** The static forecast's per-layer std gain (√ variance gain), comparable to `gain`. */
  readonly forecastGain: number | null;
  /**
   * LSUV-style factor for this layer's weights: applied to every layer at once (from the first on),
   * each layer's output std becomes 1 for positively homogeneous layers (Relu, no bias).
   */
  readonly lsuvScale: number | null;
}

export interface ProbeTiming {
  /** Parse + analysis (when not passed in) + building and encoding the forward probe model. */
  readonly prepareMs: number;
  /** onnxruntime session creation of both probe models (encoding the isolated one is in totalMs only). */
  readonly loadMs: number;
  /** All batches. */
  readonly runMs: number;
  readonly totalMs: number;
}

/** User-settable probe options (CLI flags, VS Code settings). */
export interface ProbeOptions {
  /** Number of batches (≥ 1). */
  readonly batches: number;
  /** Value for batch-like symbolic dims. */
  readonly batchSize: number;
  /** Value for sequence-like symbolic dims. */
  readonly sequenceLength: number;
  /** Value for spatial symbolic dims (height, width). */
  readonly imageSize: number;
  /** Explicit values for named symbolic dims (win over the defaults above). */
  readonly dims: Readonly<Record<string, number>>;
  readonly seed: number;
  /** Wall-clock limit for the whole probe, in seconds. */
  readonly timeoutSeconds: number;
  /** Resident-memory limit of the probe process, in MiB. */
  readonly memoryLimitMb: number;
  /** Std band outside which activations are reported as exploding / vanishing (factor vs the input std). */
  readonly band: number;
  /** A measured per-layer RMS gain off the forecast by more than this factor is `layer-gain-mismatch`. */
  readonly gainTolerance: number;
}

export const DEFAULT_PROBE_OPTIONS: ProbeOptions = {
  batches: 8,
  batchSize: 8,
  sequenceLength: 32,
  imageSize: 224,
  dims: {},
  seed: 0,
  timeoutSeconds: 120,
  memoryLimitMb: 4096,
  band: 10,
  gainTolerance: 2,
};
