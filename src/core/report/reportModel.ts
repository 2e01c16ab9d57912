/**
 * The JSON report: the one stable, versioned output of the analysis (documented by
 * `docs/report.schema.json`). Everything here is JSON-safe: numbers (never NaN/Infinity: those
 * become null), strings, booleans, arrays and plain objects. The CLI prints it, the VS Code
 * adapter turns it into diagnostics and the webview renders it.
 */

import type { FineTuneReport } from '../finetune/fineTuneModel';
import type { ProbeReport } from '../probe/probeTypes';

export const REPORT_SCHEMA_VERSION = 1;

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** One finding. `code` is stable kebab-case forever (documented in the README's findings section). */
export interface Finding {
  readonly code: string;
  readonly severity: Severity;
  /** Initializer / tensor name the finding is about (null for model-level findings). */
  readonly tensor: string | null;
  /** Node name (or `#index:OpType` when the node has no name); null when not tied to one node. */
  readonly node: string | null;
  readonly message: string;
  /** True for `intentional` info findings about deliberate patterns (zero-gamma BN, LoRA B, ...). */
  readonly intentional?: boolean;
  /** The numbers behind the finding (ratio, expected, actual, indices, ...). */
  readonly data?: Readonly<Record<string, number | string | boolean | null | readonly (number | string)[]>>;
}

export interface TensorStatsReport {
  readonly count: number;
  /** Number of finite values the moments are computed over. */
  readonly finiteCount: number;
  readonly mean: number | null;
  readonly std: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly zeroCount: number;
  readonly zeroFraction: number | null;
  readonly nanCount: number;
  readonly infCount: number;
  readonly excessKurtosis: number | null;
  /** True if the statistics were computed on a deterministic sample (user-set element limit). */
  readonly sampled?: boolean;
}

export interface Histogram {
  /** Left edge of the first bin and right edge of the last bin. */
  readonly min: number;
  readonly max: number;
  /** Counts per equal-width bin. */
  readonly counts: readonly number[];
}

export interface InitRecommendation {
  /** Xavier/Glorot normal std, gain·√(2/(fan_in+fan_out)), and its uniform bound √3·std. */
  readonly xavier: { readonly std: number; readonly bound: number } | null;
  /** He/Kaiming normal std, gain/√fan_in (and the fan_out mode), with uniform bounds. */
  readonly he: { readonly std: number; readonly bound: number; readonly fanOutStd: number } | null;
  /** LeCun normal std, 1/√fan_in (SELU networks use this). */
  readonly lecun: { readonly std: number; readonly bound: number } | null;
  /** The scheme the analyzer recommends given the following activation. */
  readonly scheme: 'xavier' | 'he' | 'lecun' | null;
  /** The recommended std (the chosen scheme's std), null if no fan. */
  readonly std: number | null;
  /** Gain used (calculate_gain of the activation found). */
  readonly gain: number;
  /** Human-readable reason, e.g. "followed by Relu (through BatchNormalization) → He". */
  readonly reason: string;
}

export type FanConvention = 'pytorch' | 'dataflow';

export interface SchemeMatch {
  /** Label like `he_normal`, `xavier_uniform`, `torch_default_uniform`, `normal(std=0.02)`, `orthogonal`. */
  readonly label: string;
  /** measured std ÷ the scheme's std. */
  readonly ratio: number;
  /** 0..1, how well std ratio and distribution shape fit. */
  readonly score: number;
}

export type LayerVerdict = 'fresh' | 'trained' | 'bn-folded' | 'unknown';

/** One weight use: a node reading a weight tensor. */
export interface LayerReport {
  /** Stable id (unique within the report), used by the webview and diagnostics. */
  readonly id: string;
  /** Position in graph (topological) order, 0-based. */
  readonly index: number;
  readonly node: string;
  readonly op: string;
  /** Initializer name (the root tensor after following Identity/DequantizeLinear/...). */
  readonly weight: string;
  /** Names of the chain followed from the initializer to the node (e.g. ["DequantizeLinear:dq1"]). */
  readonly via: readonly string[];
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly role: string;
  readonly fanIn: number | null;
  readonly fanOut: number | null;
  readonly fanConvention: FanConvention;
  /** Both conventions when they differ (ConvTranspose, [K,N] MatMul), else null. */
  readonly fanAlternatives: {
    readonly pytorch: { readonly fanIn: number; readonly fanOut: number } | null;
    readonly dataflow: { readonly fanIn: number; readonly fanOut: number } | null;
  } | null;
  /** The fan rule written out, e.g. "Conv W[M=64, C/g=3, 3×3]: fan_in = 3·9 = 27". */
  readonly fanRule: string;
  /** Activation found after the layer (e.g. `Relu`, `LeakyRelu(0.2)`, `none`), and the path to it. */
  readonly activation: string;
  readonly activationPath: readonly string[];
  /** The tensor the found activation outputs (absent when there is none, or in older reports). */
  readonly activationOutput?: string;
  readonly stats: TensorStatsReport;
  readonly histogram: Histogram | null;
  readonly recommended: InitRecommendation;
  /** measured std ÷ recommended std (null when either is unknown). */
  readonly ratio: number | null;
  readonly matchedScheme: SchemeMatch | null;
  /** Alternatives considered, best first. */
  readonly schemeCandidates: readonly SchemeMatch[];
  readonly looksTrained: boolean | null;
  readonly verdict: LayerVerdict;
  /** Per output channel: std spread and dead / identical units. */
  readonly channels: {
    readonly axis: number;
    readonly count: number;
    readonly stdMin: number | null;
    readonly stdMax: number | null;
    readonly stdMedian: number | null;
    readonly dead: readonly number[];
    /** Groups of identical output units (indices), only groups of size ≥ 2. */
    readonly identical: readonly (readonly number[])[];
    /** Coefficient of variation of the per-unit std (dead units excluded). */
    readonly stdSpread?: number | null;
    /** Mean per-unit excess kurtosis: the shape even after per-channel rescaling (BN folding). */
    readonly pooledKurtosis?: number | null;
  } | null;
  /** Whether a normalization layer follows (scales variance findings). */
  readonly normalizedAfter: boolean;
  /** Codes of this layer's findings (full findings live in the top-level `findings`). */
  readonly findings: readonly Finding[];
  /** Input slot of the node that reads the weight. */
  readonly inputIndex?: number;
  /** Finer role from the graph structure: `attention_qkv`, `attention_out`, or null. */
  readonly roleDetail?: string | null;
  /** Why the layer got its verdict (the evidence for "trained", the scheme it matches, ...). */
  readonly verdictReason?: string;
  /** In a partial report (still being analyzed): the weight is not read yet, its numbers are to come. */
  readonly pending?: boolean;
  /** Labels indistinguishable from `matchedScheme.label` for this tensor (e.g. he_normal ≡ he_normal_fan_out when square). */
  readonly labelEquivalents?: readonly string[];
  /** No other layer downstream (classifier / lm_head / generator output). */
  readonly head?: boolean;
  /** Inside a residual branch (between the fork and the residual Add). */
  readonly inResidualBranch?: boolean;
  /** Recurrent weights: gate count, hidden size, ONNX gate order and per-gate fans. */
  readonly fanGates?: { readonly count: number; readonly hidden: number; readonly order: readonly string[]; readonly perGate: { readonly fanIn: number; readonly fanOut: number } } | null;
  /** Recurrent weights: statistics per direction and gate. */
  readonly gateStats?: readonly { readonly direction: number; readonly gate: string; readonly mean: number | null; readonly std: number | null }[] | null;
  /** Statistics of the stored (quantized) values when `stats` are of the dequantized ones. */
  readonly storedStats?: TensorStatsReport | null;
  /** Ids of the other layers reading the same tensor (tied weights, exporter de-duplication). */
  readonly sharedWith?: readonly string[];
  /** Observed shape of the weight values (`truncated-normal`: cut at ±2σ; `unknown`: small tensor or in between). */
  readonly distribution?: 'uniform' | 'normal' | 'truncated-normal' | 'heavy-tailed' | 'unknown';
}

/** Every weight-like tensor that is not a layer's main weight (biases, BN params, scales, ...). */
export interface TensorReport {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly role: string;
  readonly origin: string;
  /** Consumers: `node` names (with input index). */
  readonly uses: readonly { readonly node: string; readonly op: string; readonly inputIndex: number; readonly role: string }[];
  readonly stats: TensorStatsReport | null;
  /** Why the tensor was skipped or refused (string tensors, refused external data, ...). */
  readonly skipped: string | null;
  /** Where it is stored (inline / external file + offset/length). */
  readonly storage: string;
  /** Every role of its uses (de-duplicated tensors can be e.g. a BN scale and a BN shift). */
  readonly roles?: readonly string[];
  /** Fingerprint label (zeros, ones, torch_default_uniform, mixed(zeros), fused_conv_bn(bias), ...), or null. */
  readonly label?: string | null;
  readonly labelEquivalents?: readonly string[];
  /** Graph path (or `function:<domain>.<name>`) defining the tensor. */
  readonly graph?: string;
  readonly storedStats?: TensorStatsReport | null;
}

export interface ModelSummary {
  readonly path: string;
  readonly fileSize: number;
  readonly irVersion: number;
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly producer: { readonly name: string; readonly version: string };
  readonly graphName: string;
  readonly counts: {
    readonly nodes: number;
    readonly initializers: number;
    readonly constantNodes: number;
    readonly subgraphs: number;
    readonly functions: number;
    readonly layers: number;
  };
  readonly parameterCount: number;
  readonly weightBytes: number;
  readonly verdict: 'fresh' | 'trained' | 'mixed' | 'unknown';
  readonly verdictReason: string;
  readonly inputs: readonly { readonly name: string; readonly dtype: string; readonly shape: readonly (number | string | null)[] }[];
  readonly outputs: readonly { readonly name: string; readonly dtype: string; readonly shape: readonly (number | string | null)[] }[];
}

/** The forecast of activation variance through the depth of the main path. */
export interface VarianceForecast {
  readonly points: readonly {
    readonly layerId: string;
    readonly depth: number;
    /** Per-layer variance gain (fan·var(W)·activation factor). */
    readonly gain: number;
    /** Cumulative product of gains up to and including this layer (variance of the activations relative to the input). */
    readonly cumulative: number;
  }[];
  readonly verdict: 'stable' | 'exploding' | 'vanishing' | 'unknown';
  /** Depth (index into points) where the signal first leaves the band, or null. */
  readonly startsAt: number | null;
}

export interface AnalysisOptionsReport {
  readonly activation: string;
  readonly varianceTolerance: number;
  readonly maxElementsPerTensor: number | null;
}

export interface Report {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  readonly tool: { readonly name: 'onnx-init'; readonly version: string };
  readonly model: ModelSummary;
  readonly options: AnalysisOptionsReport;
  readonly layers: readonly LayerReport[];
  readonly tensors: readonly TensorReport[];
  readonly findings: readonly Finding[];
  readonly forecast: VarianceForecast;
  /** Added by the fine-tune issue. */
  readonly fineTune?: FineTuneReport;
  /** Added by the probe issue. */
  readonly probe?: ProbeReport;
}
