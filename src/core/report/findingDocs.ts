import type { Severity } from './reportModel';
import { FINDING_CODES } from '../analysis/findingCodes';

/**
 * Documentation of every finding code: the README's "Findings" section is generated from it
 * (one `### <code>` heading per entry; test/unit/format/findingDocs.test.ts keeps the two in
 * sync), SARIF rules carry it as help text, and VS Code diagnostics link to it through
 * {@link findingDocUrl}.
 */
export interface FindingDoc {
  readonly code: string;
  /** Short title (SARIF rule shortDescription). */
  readonly title: string;
  readonly defaultSeverity: Severity;
  /** What the finding means. */
  readonly meaning: string;
  /** Why it matters for training. */
  readonly why: string;
  /** What to do about it. */
  readonly action: string;
}

/**
 * Where the README is published. The anchors below are GitHub's heading slugs of `### <code>`.
 * Hosts that ship the README themselves (the VS Code extension) can pass their own base.
 */
export const FINDINGS_README_URL = 'https://github.com/onnx-init/onnx-init-analyzer/blob/main/README.md';

// Why / what-to-do per code; the meaning is the engine's own one-liner (FINDING_CODES) unless
// the code comes from another feature (probe).
const DOCS: Readonly<Record<string, Omit<FindingDoc, 'code' | 'meaning'> & { meaning?: string }>> = {
  'weight-all-zero': {
    title: 'All-zero layer weight',
    defaultSeverity: 'error',
    why: 'With every weight 0, all units of the layer compute the same output and get the same gradient, so they stay identical forever; after a ReLU the gradient to earlier layers is zero too.',
    action: 'Re-initialize the weight (He/Kaiming for ReLU-like activations, Xavier/Glorot for tanh/sigmoid/linear). If the zero is deliberate (a residual branch, a head, LoRA B), make sure the pattern is one the analyzer recognizes, or silence it with `--ignore`.',
  },
  'weight-constant': {
    title: 'Constant layer weight',
    defaultSeverity: 'error',
    why: 'Identical weights make every unit identical: symmetry is never broken and the layer behaves like a single unit however wide it is.',
    action: 'Re-initialize from a random distribution (He or Xavier, scaled to the fan), never a constant fill such as `nn.init.constant_` on a kernel weight.',
  },
  'weight-non-finite': {
    title: 'NaN or infinite weights',
    defaultSeverity: 'error',
    why: 'A single NaN or ±Inf poisons every activation downstream: the loss becomes NaN on the first step.',
    action: 'Find where the value came from (a diverged run, a bad checkpoint conversion, float16 overflow) and reload or re-initialize the tensor; the finding lists how many NaN / Inf values there are.',
  },
  'dead-units': {
    title: 'Dead output units',
    defaultSeverity: 'warning',
    why: 'An all-zero row (or filter) ignores its input: the unit outputs only its bias and, behind a ReLU, often never recovers. Above a fraction of the layer it is an error.',
    action: 'Re-initialize the listed rows/filters (the finding names their indices), or prune them if they were zeroed on purpose (structured pruning).',
  },
  'identical-units': {
    title: 'Identical output units',
    defaultSeverity: 'warning',
    why: 'Units with exactly the same weights receive the same gradient and keep learning the same feature, wasting capacity.',
    action: 'Re-initialize the layer randomly; check for code that copies one row into others (tiling, broadcasting a single filter).',
  },
  'variance-too-high': {
    title: 'Weight variance too high',
    defaultSeverity: 'warning',
    why: 'Each layer multiplies the activation variance by about fan_in·Var(W)·(activation factor); too large a std makes activations and gradients grow exponentially with depth (exploding signal, saturated tanh/sigmoid). It is a warning beyond the tolerance factor (`--tolerance`, default 2) and an error beyond its square (4× in std, 16× in variance); right before a normalization layer, or inside a residual branch, the scale does not propagate and it is only info.',
    action: 'Use the recommended std shown in the report (He √(2/fan_in) for ReLU, Xavier √(2/(fan_in+fan_out)) for tanh/sigmoid/linear, LeCun for SELU). `--tolerance` sets how far off is acceptable.',
  },
  'variance-too-low': {
    title: 'Weight variance too low',
    defaultSeverity: 'warning',
    why: 'Too small a std shrinks the signal by a constant factor per layer: in a deep network without normalization the activations and gradients vanish and training stalls. Severity as for variance-too-high (warning beyond the tolerance, error beyond its square); a small head or a down-scaled residual branch is reported as deliberate instead.',
    action: 'Re-initialize with the recommended std for the layer\'s fan and following activation (see the table), or add normalization.',
  },
  'zero-bias-before-relu': {
    title: 'Zero bias before ReLU (hint)',
    defaultSeverity: 'hint',
    why: 'A zero bias is a fine default, but with a ReLU right after, units whose pre-activation starts negative get no gradient; a small positive bias keeps more of them alive at the start.',
    action: 'Optional: initialize the bias to a small constant such as 0.01. Ignore this hint if the network trains well.',
  },
  'tensor-refused': {
    title: 'Tensor refused',
    defaultSeverity: 'warning',
    why: 'The tensor\'s data could not be read safely (size mismatch, external data outside the model folder, a symlink, a bad offset ...), so it was not analyzed. The message names the rule that refused it.',
    action: 'Fix the model file (re-export it, or put the external-data file next to the model with a relative location). A refusal is a safety rule, not a bug of the analyzer.',
  },
  'tensor-skipped': {
    title: 'Tensor skipped',
    defaultSeverity: 'info',
    why: 'The tensor holds strings, booleans or complex numbers, for which weight statistics have no meaning.',
    action: 'Nothing to do; the tensor is listed for completeness.',
  },
  'external-data-overlap': {
    title: 'External data: overlapping tensors',
    defaultSeverity: 'warning',
    why: 'Exporters write each tensor to its own byte range. Two tensors sharing bytes means the offsets or lengths were edited by hand or crafted: one tensor silently reads the other\'s values (their statistics are then of the same bytes), and a crafted layout can hide data from tools that check tensors one by one. Every overlapping pair is listed (the first 100, then how many more).',
    action: 'Re-export the model (`onnx.save_model(..., save_as_external_data=True)` writes a clean layout), or check the `external_data` offset / length entries of the tensors named. If two names really are one weight (tied weights), give them one initializer instead.',
  },
  'external-data-unreferenced': {
    title: 'External data: unreferenced bytes',
    defaultSeverity: 'info',
    why: 'Bytes of a data file that no tensor reads are not analyzed, yet ship with the model: leftovers of an earlier export, a data file shared with another model, or content hidden next to the weights. Alignment padding (under 64 KiB before a tensor at a 4 KiB boundary) is not reported.',
    action: 'Usually nothing: re-exporting the model into a fresh folder writes a file without them. If the file is shared with other models, this is expected; if it is not, check what the listed byte ranges (`data.offsets` / `data.lengths`) hold.',
  },
  'activation-explodes-forecast': {
    title: 'Forecast: activations explode with depth',
    defaultSeverity: 'warning',
    why: 'The product of per-layer variance gains along the main path leaves the stable band upwards: activations (and gradients) grow exponentially, which leads to overflow or saturation.',
    action: 'Lower the std of the layers whose gain is above 1 (see the forecast in the report), or add normalization layers. `--probe` measures the real activations to confirm.',
  },
  'activation-vanishes-forecast': {
    title: 'Forecast: activations vanish with depth',
    defaultSeverity: 'warning',
    why: 'The product of per-layer variance gains along the main path falls below the stable band: deep layers see almost no signal and gradients vanish.',
    action: 'Use the recommended std (He for ReLU-like activations), or add normalization / residual connections. `--probe` measures the real activations to confirm.',
  },
  'intentional-zero-gamma-residual': {
    title: 'Deliberate: zero-gamma residual normalization',
    defaultSeverity: 'info',
    why: 'Setting the last BatchNorm scale of each residual block to 0 makes every block start as the identity, which helps large-batch training (Goyal et al. 2017; torchvision `zero_init_residual`).',
    action: 'Nothing; this is reported so that it is not mistaken for a dead layer.',
  },
  'intentional-zero-residual-branch': {
    title: 'Deliberate: zero residual branch',
    defaultSeverity: 'info',
    why: 'A residual branch whose last layer is zero starts as the identity (Fixup, SkipInit, ControlNet zero convolutions); the other layers still get gradients through the skip path.',
    action: 'Nothing.',
  },
  'intentional-zero-head': {
    title: 'Deliberate: zero-initialized head',
    defaultSeverity: 'info',
    why: 'A zero output layer gives uniform initial predictions (loss exactly ln(classes)) and still learns, because its gradient is (softmax − one-hot) × features (Fixup, ViT JAX-style heads).',
    action: 'Nothing.',
  },
  'intentional-small-head': {
    title: 'Deliberate: small-std head',
    defaultSeverity: 'info',
    why: 'Output layers are often initialized with a small std (e.g. torchvision N(0, 0.01)); the last layer does not compound through depth, so this is harmless.',
    action: 'Nothing.',
  },
  'intentional-lora-b': {
    title: 'Deliberate: zero LoRA B',
    defaultSeverity: 'info',
    why: 'LoRA initializes B to zero so that the adapted model starts exactly equal to the base model (Hu et al. 2021); A is random, so B still gets gradients.',
    action: 'Nothing.',
  },
  'intentional-zero-bias': {
    title: 'Deliberate: zero biases',
    defaultSeverity: 'info',
    why: 'Zero biases are the standard initialization of most layers.',
    action: 'Nothing.',
  },
  'intentional-unit-norm-scale': {
    title: 'Deliberate: standard normalization parameters',
    defaultSeverity: 'info',
    why: 'Normalization layers start with scale 1 and shift 0 (and running mean 0, variance 1).',
    action: 'Nothing.',
  },
  'intentional-padding-row': {
    title: 'Deliberate: zero padding row',
    defaultSeverity: 'info',
    why: 'Embedding tables zero the row of the padding index (`padding_idx`) so padding contributes nothing.',
    action: 'Nothing.',
  },
  'intentional-convention': {
    title: 'Deliberate: known init convention',
    defaultSeverity: 'info',
    why: 'The std is off the He/Xavier recommendation but matches a known convention: PyTorch\'s default kaiming_uniform(a=√5) (std 1/√(3·fan_in)), N(0, 0.02) of BERT/GPT, GPT-2\'s 0.02/√(2·n_layer) residual scaling. Models trained that way work.',
    action: 'Nothing, unless you meant to use He/Xavier.',
  },
  'variance-context': {
    title: 'Trained layer: variance for context',
    defaultSeverity: 'info',
    why: 'The layer looks trained (or has BatchNorm folded in), so its std naturally differs from any init recommendation; the ratio is shown for context only.',
    action: 'Nothing. Re-initialization advice applies to fresh layers only.',
  },
  'activation-explodes': {
    title: 'Probe: activations explode',
    defaultSeverity: 'warning',
    meaning: 'Measured with `--probe` (onnxruntime on seeded N(0,1) inputs): a layer output\'s std grows beyond 10× the std entering its run of layers (the model input, or the last normalization: BN/LN, also folded BN, resets the scale during training), or NaN/Inf appear. Output heads and layers right before a normalization are not judged; the finding names the depth where it starts.',
    why: 'This is the measured counterpart of the forecast: the signal really grows through the layers (an error when it becomes NaN/Inf).',
    action: 'Scale down the weights of the layers where the measured gain is above 1 (the probe table gives an LSUV-style scale per layer), or add normalization.',
  },
  'activation-vanishes': {
    title: 'Probe: activations vanish',
    defaultSeverity: 'warning',
    meaning: 'Measured with `--probe`: a layer output\'s std falls below 1/10 of the std entering its run of layers (the model input, or the last normalization). Info instead of a warning when the static analysis calls the layer\'s scale a deliberate convention (e.g. N(0, 0.02)).',
    why: 'Deep layers receive almost no signal; gradients will be tiny.',
    action: 'Scale up the weights where the measured gain is below 1 (LSUV-style scale in the probe table), use He init for ReLU networks, or add normalization.',
  },
  'layer-gain-mismatch': {
    title: 'Probe: layer gain differs from the forecast',
    defaultSeverity: 'warning',
    meaning: 'Measured with `--probe`: a layer\'s output rms differs from what its weight statistics predict for the measured input, √(fan_in·E[W²]·E[x²] + E[b²]) (the static forecast\'s step), by more than the gain tolerance (2×). A warning for fresh Gemm / MatMul / Conv layers, info for trained or folded weights and for ops the formula only approximates (ConvTranspose, RNNs).',
    why: 'For fresh i.i.d. zero-mean weights the prediction holds whatever the input\'s correlation or mean, so a mismatch means the weights interact with the signal: a weight mean combined with correlated or positive inputs (e.g. identical units upstream), or trained structure.',
    action: 'Look at the layer\'s measured input/output statistics in the probe section before changing its initialization.',
  },
  'probe-failed': {
    title: 'Probe: the model could not be run',
    defaultSeverity: 'warning',
    meaning: 'With `--probe`: onnxruntime could not load or run the model (the op and onnxruntime\'s own message are given), or the probe hit its timeout or memory limit.',
    why: 'The static analysis is complete; only the measured activations are missing.',
    action: 'For an op onnxruntime does not know, nothing can be measured. For timeouts or memory, lower `--batch-size` / the dimension defaults or raise `--timeout` / `--memory-limit` (`onnx-init probe --help`).',
  },
};

/** Every documented code, in the engine's order, then the probe's. */
export const FINDING_DOCS: readonly FindingDoc[] = Object.entries(DOCS).map(([code, d]) => ({
  code,
  title: d.title,
  defaultSeverity: d.defaultSeverity,
  meaning: d.meaning ?? (FINDING_CODES as Readonly<Record<string, string>>)[code] ?? d.title,
  why: d.why,
  action: d.action,
}));

const BY_CODE = new Map(FINDING_DOCS.map((d) => [d.code, d]));

/** The documentation of `code`, or undefined for a code this version does not know. */
export function findingDoc(code: string): FindingDoc | undefined {
  return BY_CODE.get(code);
}

/** GitHub's slug of the `### <code>` heading: lower case, punctuation other than `-`/`_` dropped. */
export function findingAnchor(code: string): string {
  return code.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** Link to the README's explanation of `code` (its `### <code>` heading). */
export function findingDocUrl(code: string, readmeUrl: string = FINDINGS_README_URL): string {
  return `${readmeUrl}#${encodeURIComponent(findingAnchor(code))}`;
}
