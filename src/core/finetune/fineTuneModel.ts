/**
 * The `fineTune` section of the JSON report: where to cut a model for transfer learning, what to
 * freeze, how to initialize the replacement head, and the reasoning behind it. JSON-safe like the
 * rest of the report (numbers are finite or null).
 */

/** What the network's output layer is. `other` means no fine-tune cut is proposed. */
export type HeadKind = 'classifier' | 'lm_head' | 'generator' | 'other';

export type DatasetSize = 'tiny' | 'small' | 'medium' | 'large';
export type DomainSimilarity = 'similar' | 'different';

/** User-facing options (CLI `--dataset-size`, `--domain`, `--classes`, `--input-channels`). */
export interface FineTuneOptions {
  /** Default `small`. */
  readonly datasetSize?: DatasetSize;
  /** Default `similar`. */
  readonly domain?: DomainSimilarity;
  /** Number of classes of the new task; defaults to the current head's output count. */
  readonly classes?: number;
  /** Channels of the user's input data (e.g. 1 for X-ray / grayscale). */
  readonly inputChannels?: number;
}

/** The feature boundary: the tensor feeding the head and the node producing it. */
export interface CutPoint {
  readonly tensor: string;
  /** Producer node name (`#index:OpType` when unnamed); null when the tensor is a graph input. */
  readonly node: string | null;
  readonly op: string | null;
  /**
   * Tensors carrying the same features (through Identity / Flatten / Reshape / Squeeze /
   * QuantizeLinear→DequantizeLinear), nearest first. A cut at any of them is equivalent.
   */
  readonly equivalents: readonly string[];
  /** For QDQ models: the float tensor before the activation QuantizeLinear→DequantizeLinear pair. */
  readonly floatTensor?: string;
  /** Feature width (fan_in of the head) when known. */
  readonly features: number | null;
}

/** One output head of the network. */
export interface HeadReport {
  readonly kind: HeadKind;
  /** Graph output(s) it produces. */
  readonly outputs: readonly string[];
  /** The weight-bearing node of the head (the final Gemm / MatMul / Conv / ConvTranspose). */
  readonly node: string;
  readonly op: string;
  /** Initializers of that node (weight root first, then bias), quantization scales excluded. */
  readonly initializers: readonly string[];
  /** Other tensors a replacement also drops: a bias added by a following Add, QDQ scales/zero points. */
  readonly alsoReplaced: readonly string[];
  readonly cut: CutPoint;
  /** What pooling/gather made the features (e.g. `GlobalAveragePool → Flatten`), or null. */
  readonly pooling: string | null;
  /** Outputs of the head (classes, vocabulary, channels) when known. */
  readonly outputCount: number | null;
  /** First activation after the head (`Relu`, `Softmax`, ...) or `none` (raw logits). */
  readonly followedBy: string;
  /** For LM heads: the embedding initializer the head weight is tied to. */
  readonly tiedTo: readonly string[];
  /** Why the head got this kind, in words. */
  readonly reason: string;
  /** Trained/fresh verdict of the head's main weight (from the analysis), when known. */
  readonly verdict: 'fresh' | 'trained' | 'bn-folded' | 'unknown';
}

/** A group of backbone layers (stem, stage 1..n). */
export interface StageReport {
  readonly index: number;
  /** `stem`, `stage 1`, ... */
  readonly name: string;
  /** Module-path groups it spans, e.g. `layer3` or `features.7–13`. */
  readonly label: string;
  /** Parameter-name prefixes (with the trailing dot) when names look like PyTorch module paths. */
  readonly prefixes: readonly string[];
  /** Initializer names of its layers (weights and the tensors they use). */
  readonly initializers: readonly string[];
  /** Number of weight layers in it. */
  readonly layers: number;
  readonly parameters: number;
  /** Why a new stage starts here (`resolution /2 (stride-2 Conv)`, `new module group layer2`, ...). */
  readonly boundary: string;
  /** Weight layers by verdict, and the finite values judged fresh / trained (folded BN by its looksTrained). */
  readonly verdicts: {
    readonly fresh: number;
    readonly trained: number;
    readonly bnFolded: number;
    readonly unknown: number;
    readonly freshElements?: number;
    readonly trainedElements?: number;
  };
  /** True when most of its weight layers look freshly initialized. */
  readonly looksUntrained: boolean;
}

export interface LearningRateGroup {
  /** Stage name or `new head`. */
  readonly group: string;
  readonly lr: number;
}

/** The recommendation for one dataset-size × domain situation. */
export interface PlanEntry {
  readonly datasetSize: DatasetSize;
  readonly domain: DomainSimilarity;
  /** One line: "freeze stem + stages 1–3, fine-tune stage 4 + new head". */
  readonly summary: string;
  /** Stage names kept frozen (learning rate 0) in the fine-tune phase. */
  readonly frozenStages: readonly string[];
  readonly trainableStages: readonly string[];
  /** Step 1 (LP): train the new head alone; step 2 (FT): unfreeze `trainableStages`. */
  readonly steps: readonly string[];
  /** Discriminative learning rates (Adam-scale) of the fine-tune phase. */
  readonly learningRates: readonly LearningRateGroup[];
  readonly reasoning: string;
  /** True for the situation selected by the options. */
  readonly selected: boolean;
}

export interface InitChoice {
  /** `xavier_normal`, `kaiming_normal`, `zeros`. */
  readonly scheme: string;
  readonly std: number | null;
  /** Bound of the uniform variant (√3·std), null for zeros. */
  readonly uniformBound: number | null;
  readonly reason: string;
}

export interface NewHeadReport {
  /** PyTorch layout: Linear [classes, features], 1×1 Conv [classes, features, 1, 1]. */
  readonly shape: readonly number[];
  readonly fanIn: number;
  readonly fanOut: number;
  readonly classes: number;
  /** Where the class count came from. */
  readonly classesFrom: 'option' | 'current-head';
  /** `Linear` or `Conv2d(1×1)`. */
  readonly layer: string;
  /** Activation after the head in the current model (none → logits). */
  readonly followedBy: string;
  /** Whether the current head has a bias (a replacement keeps the same form). */
  readonly bias?: boolean;
  readonly recommended: InitChoice;
  readonly alternative: InitChoice;
}

export interface TransferabilityReport {
  /** Verdict over the backbone layers (weighted by values). */
  readonly backbone: 'fresh' | 'trained' | 'mixed' | 'unknown';
  /** Share of the judged backbone values that look trained, null when none could be judged. */
  readonly trainedShare?: number | null;
  readonly head: 'fresh' | 'trained' | 'bn-folded' | 'unknown';
  readonly message: string;
  /** Stages that look untrained inside an otherwise trained body. */
  readonly untrainedStages: readonly string[];
}

export interface ModalityHint {
  /** Input channels the first conv expects. */
  readonly expectedChannels: number;
  readonly userChannels: number;
  readonly firstConv: string;
  readonly firstWeight: string;
  readonly message: string;
}

export interface FineTuneReport {
  readonly kind: HeadKind;
  /** The cut of the primary head; null when no cut is proposed (generators, other outputs). */
  readonly cut: { readonly tensor: string; readonly node: string | null } | null;
  /** The primary head's initializers (to drop and re-create). */
  readonly replace: readonly string[];
  /** Under the selected situation: parameter-name prefixes (PyTorch-like names) or initializer names. */
  readonly freeze: readonly string[];
  readonly freezeBy: 'prefix' | 'name';
  readonly stages: readonly StageReport[];
  /** False when the model looks freshly initialized: nothing to transfer. */
  readonly transferable: boolean;
  readonly transferability: TransferabilityReport;
  readonly newHead: NewHeadReport | null;
  readonly plan: readonly PlanEntry[];
  readonly selected: { readonly datasetSize: DatasetSize; readonly domain: DomainSimilarity };
  readonly rationale: readonly string[];
  readonly heads: readonly HeadReport[];
  readonly modalityHint: ModalityHint | null;
  /** PyTorch code; null with `snippetReason` when it cannot be written faithfully. */
  readonly snippet: string | null;
  readonly snippetReason: string | null;
  /** `onnx-init cut MODEL --at TENSOR --out backbone.onnx`, when a cut exists. */
  readonly exportCommand: string | null;
  /** Published sources the reasoning rests on. */
  readonly references: readonly string[];
}
