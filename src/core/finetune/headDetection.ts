import type { Node, TensorRef } from '../onnx/model';
import type { CutPoint, HeadKind, HeadReport } from './fineTuneModel';
import type { GraphLookup } from './graphLookup';
import { intAttr, intsAttr } from './graphLookup';

/** Ops that carry a learned weight and can be the final layer of a head. */
const HEAD_OPS = new Set(['Gemm', 'MatMul', 'Conv', 'ConvTranspose']);

/**
 * Ops allowed between the head's weight node and the graph output: activations, softmax, bias /
 * scale with a constant, reshapes, global pooling (SqueezeNet pools after its 1×1 Conv head) and
 * QDQ pairs. Anything else (Concat of two data tensors, an RNN, ...) means the output is not a
 * simple head.
 */
const TAIL_OPS = new Set([
  'Softmax', 'LogSoftmax', 'Sigmoid', 'Tanh', 'Relu', 'LeakyRelu', 'Clip', 'HardSigmoid', 'Elu', 'Selu', 'Gelu',
  'Flatten', 'Reshape', 'Squeeze', 'Unsqueeze', 'Identity', 'Transpose', 'Cast', 'Dropout',
  'GlobalAveragePool', 'GlobalMaxPool', 'ReduceMean', 'ReduceMax', 'AveragePool',
  'QuantizeLinear', 'DequantizeLinear', 'Add', 'Sub', 'Mul', 'Div',
]);

/** Ops through which a data tensor keeps the same features (used for cut equivalents). */
const SAME_FEATURE_OPS = new Set(['Identity', 'Flatten', 'Reshape', 'Squeeze', 'Unsqueeze', 'DequantizeLinear', 'QuantizeLinear', 'Dropout']);

/** Ops that turn a feature map or a sequence into one feature vector per example. */
const POOLING_OPS = new Set(['GlobalAveragePool', 'GlobalMaxPool', 'ReduceMean', 'ReduceMax', 'Flatten', 'Gather', 'Squeeze']);

const SPATIAL_UPSAMPLING_OPS = new Set(['ConvTranspose', 'Resize', 'Upsample', 'DepthToSpace']);

/** Per-layer facts from the analysis, when it ran (verdicts and fans of weight uses). */
export interface LayerFacts {
  verdictOf(node: string, weight: string): 'fresh' | 'trained' | 'bn-folded' | 'unknown';
  /**
   * Whether the weight looks trained (true), freshly initialized (false) or cannot be told
   * (undefined), and over how many finite values. Folded BatchNorm layers count by the
   * analysis' `looksTrained`, as in the model verdict.
   */
  judgeOf(node: string, weight: string): { trained: boolean | undefined; elements: number };
  fansOf(node: string, weight: string): { fanIn: number | null; fanOut: number | null } | undefined;
}

/** Optional value check for tied weights: true when `a` equals `b` transposed (2-D). */
export type TransposedEqual = (a: TensorRef, b: TensorRef) => boolean | undefined;

export interface HeadDetectionInput {
  readonly lookup: GraphLookup;
  readonly tensors: ReadonlyMap<string, TensorRef>;
  readonly facts?: LayerFacts;
  readonly transposedEqual?: TransposedEqual;
}

/**
 * Finds the head behind every graph output: walks back from the output through tail ops to the
 * last weight-bearing node, then classifies it (classifier / lm_head / generator / other) from
 * what precedes and follows it. Returns heads in graph-output order, one per distinct node.
 */
export function detectHeads(input: HeadDetectionInput): HeadReport[] {
  const { lookup } = input;
  const heads: HeadReport[] = [];
  const seen = new Map<Node, HeadReport>();
  for (const output of lookup.graphOutputs) {
    const found = walkToHead(lookup, output);
    if (!found) continue;
    const prior = seen.get(found.node);
    if (prior) {
      (prior.outputs as string[]).push(output);
      continue;
    }
    const head = describeHead(input, found.node, found.tail, output);
    seen.set(found.node, head);
    heads.push(head);
  }
  return heads;
}

/** Index of the data input of a head node (the non-constant one), or -1. */
export function dataInputIndex(lookup: GraphLookup, node: Node): number {
  if (node.opType === 'MatMul' || node.opType === 'Gemm') {
    const a = node.inputs[0] ?? '', b = node.inputs[1] ?? '';
    if (a !== '' && !lookup.isConstant(a) && b !== '' && lookup.isConstant(b)) return 0;
    if (b !== '' && !lookup.isConstant(b) && a !== '' && lookup.isConstant(a) && node.opType === 'MatMul') return 1;
    return -1;
  }
  const x = node.inputs[0] ?? '', w = node.inputs[1] ?? '';
  return x !== '' && w !== '' && !lookup.isConstant(x) && lookup.isConstant(w) ? 0 : -1;
}

function walkToHead(lookup: GraphLookup, output: string): { node: Node; tail: Node[] } | undefined {
  const tail: Node[] = [];
  let t = output;
  for (let guard = 0; guard < 256; guard++) {
    const p = lookup.producer(t);
    if (!p) return undefined;
    if (HEAD_OPS.has(p.opType) && dataInputIndex(lookup, p) >= 0) return { node: p, tail };
    if (!TAIL_OPS.has(p.opType)) return undefined;
    const data = p.inputs.filter((i, k) => i !== '' && !(p.opType === 'QuantizeLinear' || p.opType === 'DequantizeLinear' ? k > 0 : lookup.isConstant(i)));
    if (data.length !== 1) return undefined;
    tail.push(p);
    t = data[0]!;
  }
  return undefined;
}

function describeHead(input: HeadDetectionInput, node: Node, tail: readonly Node[], output: string): HeadReport {
  const { lookup, tensors } = input;
  const label = lookup.label(node);
  const di = dataInputIndex(lookup, node);
  const wi = node.opType === 'MatMul' ? 1 - di : 1;
  const weightInput = node.inputs[wi] ?? '';
  const weightRoot = lookup.weightRoot(weightInput) ?? weightInput;
  const initializers = [weightRoot];
  const alsoReplaced: string[] = [];
  const biasInput = node.opType === 'MatMul' ? '' : (node.inputs[2] ?? '');
  if (biasInput !== '') initializers.push(lookup.weightRoot(biasInput) ?? biasInput);
  for (const link of [...lookup.weightChain(weightInput), ...lookup.weightChain(biasInput)]) {
    if (link.opType !== 'DequantizeLinear') continue;
    for (const q of link.inputs.slice(1)) if (q !== '') alsoReplaced.push(lookup.weightRoot(q) ?? q);
  }
  // MatMul + Add(bias): the bias belongs to the same Linear layer.
  const firstTail = tail[tail.length - 1];
  if (firstTail && (firstTail.opType === 'Add') && node.opType === 'MatMul') {
    for (const i of firstTail.inputs) if (i !== '' && lookup.isConstant(i)) alsoReplaced.push(lookup.weightRoot(i) ?? i);
  }

  const cut = cutPoint(input, node, di, weightRoot);
  const weight = tensors.get(weightRoot);
  const outputCount = headOutputs(node, weight, input.facts?.fansOf(label, weightRoot));
  const pooling = poolingBefore(lookup, cut.tensor);
  const { kind, reason, tiedTo } = classify(input, node, tail, weight, outputCount, pooling);
  return {
    kind,
    outputs: [output],
    node: label,
    op: node.opType,
    initializers: unique(initializers),
    alsoReplaced: unique(alsoReplaced),
    cut,
    pooling,
    outputCount,
    followedBy: activationAfter(tail),
    tiedTo,
    reason,
    verdict: input.facts?.verdictOf(label, weightRoot) ?? 'unknown',
  };
}

function cutPoint(input: HeadDetectionInput, node: Node, di: number, weightRoot: string): CutPoint {
  const { lookup } = input;
  const tensor = node.inputs[di]!;
  const producer = lookup.producer(tensor);
  const equivalents: string[] = [];
  let floatTensor: string | undefined;
  let t = tensor;
  for (let guard = 0; guard < 32; guard++) {
    const p = lookup.producer(t);
    if (!p || !SAME_FEATURE_OPS.has(p.opType) || p.inputs[0] === undefined || p.inputs[0] === '') break;
    if (p.opType === 'DequantizeLinear') {
      const q = lookup.producer(p.inputs[0]);
      if (q && q.opType === 'QuantizeLinear' && q.inputs[0]) floatTensor ??= q.inputs[0];
    }
    t = p.inputs[0];
    equivalents.push(t);
  }
  const fans = input.facts?.fansOf(lookup.label(node), weightRoot);
  const features = fans?.fanIn != null && node.opType !== 'Conv' ? fans.fanIn : headFeatures(node, input.tensors.get(weightRoot));
  return {
    tensor,
    node: producer ? lookup.label(producer) : null,
    op: producer ? producer.opType : null,
    equivalents,
    ...(floatTensor !== undefined ? { floatTensor } : {}),
    features,
  };
}

/**
 * Input features of the head from its weight layout. The analysis' fan_in equals this for
 * Linear layers, but for a 1×1 Conv head fan_in is C·k·k, so the layout is read here.
 */
function headFeatures(node: Node, w: TensorRef | undefined): number | null {
  if (!w) return null;
  const d = w.dims;
  if (node.opType === 'Gemm') return (intAttr(node, 'transB', 0) === 1 ? d[1] : d[0]) ?? null;
  if (node.opType === 'MatMul') return d.length >= 2 ? d[d.length - 2]! : null;
  if (node.opType === 'Conv') return d[1] !== undefined ? d[1] * intAttr(node, 'group', 1) : null;
  if (node.opType === 'ConvTranspose') return d[0] ?? null;
  return null;
}

function headOutputs(node: Node, w: TensorRef | undefined, fans: { fanOut: number | null } | undefined): number | null {
  if (node.opType !== 'Conv' && node.opType !== 'ConvTranspose' && fans?.fanOut != null) return fans.fanOut;
  if (!w) return null;
  const d = w.dims;
  if (node.opType === 'Gemm') return (intAttr(node, 'transB', 0) === 1 ? d[0] : d[1]) ?? null;
  if (node.opType === 'MatMul') return d.length >= 1 ? d[d.length - 1]! : null;
  if (node.opType === 'Conv') return d[0] ?? null;
  if (node.opType === 'ConvTranspose') return d[1] !== undefined ? d[1] * intAttr(node, 'group', 1) : null;
  return null;
}

/** The pooling / flatten / token-gather chain that produced the cut tensor, e.g. `GlobalAveragePool → Flatten`. */
function poolingBefore(lookup: GraphLookup, tensor: string): string | null {
  const ops: string[] = [];
  let t = tensor;
  for (let guard = 0; guard < 8; guard++) {
    const p = lookup.producer(t);
    if (!p) break;
    if (POOLING_OPS.has(p.opType) || SAME_FEATURE_OPS.has(p.opType) || p.opType === 'Transpose') {
      if (POOLING_OPS.has(p.opType)) ops.unshift(p.opType === 'Gather' ? 'Gather (token select)' : p.opType);
      const data = p.inputs.find((i) => i !== '' && !lookup.isConstant(i));
      if (!data) break;
      t = data;
    } else break;
  }
  return ops.length ? ops.join(' → ') : null;
}

function classify(
  input: HeadDetectionInput,
  node: Node,
  tail: readonly Node[],
  weight: TensorRef | undefined,
  outputCount: number | null,
  pooling: string | null,
): { kind: HeadKind; reason: string; tiedTo: string[] } {
  const { lookup } = input;
  const tailOps = tail.map((n) => n.opType).reverse();
  const tailText = tailOps.length ? ` → ${tailOps.join(' → ')}` : '';
  // Downsampling before the upsampling output means an encoder–decoder (segmentation, text
  // detection): a dense prediction, not a generator that starts from a latent vector.
  const downsamples = lookup.nodes.some((n) => (n.opType === 'Conv' || n.opType === 'MaxPool' || n.opType === 'AveragePool') && (intsAttr(n, 'strides') ?? []).some((s) => s > 1));
  const dense = { kind: 'other' as const, reason: `the output is a spatial map from a ${node.opType}${tailText} after the resolution went down and back up (encoder–decoder: segmentation / detection), not one score vector per example`, tiedTo: [] };
  if (node.opType === 'ConvTranspose') {
    return downsamples ? dense : { kind: 'generator', reason: `the output comes from a ConvTranspose${tailText}: an upsampled image-like tensor, not class scores`, tiedTo: [] };
  }
  if (node.opType === 'Conv') {
    const pooledAfter = tailOps.some((o) => o === 'GlobalAveragePool' || o === 'GlobalMaxPool' || o === 'ReduceMean' || o === 'ReduceMax');
    const oneByOne = weight !== undefined && weight.dims.length >= 3 && weight.dims.slice(2).every((k) => k === 1);
    if (pooledAfter && oneByOne) {
      return { kind: 'classifier', reason: `a 1×1 Conv producing one map per class, then${tailText.slice(2)} (SqueezeNet-style head)`, tiedTo: [] };
    }
    const upsamples = lookup.nodes.some((n) => SPATIAL_UPSAMPLING_OPS.has(n.opType));
    if (upsamples && downsamples) return dense;
    return upsamples
      ? { kind: 'generator', reason: `the output is a spatial map from a Conv${tailText} after upsampling layers: a generator/decoder output, not class scores`, tiedTo: [] }
      : { kind: 'other', reason: `the output is a spatial map from a Conv${tailText} (dense prediction), not one score vector per example`, tiedTo: [] };
  }
  const tie = findTiedEmbedding(input, weight, node, outputCount);
  if (tie) {
    return { kind: 'lm_head', reason: `a ${node.opType} from the hidden states to a ${outputCount}-entry vocabulary, ${tie.how} the token embedding ${tie.name}`, tiedTo: tie.tied ? [tie.name] : [] };
  }
  const via = pooling ? ` after ${pooling}` : ' on 2-D features';
  return { kind: 'classifier', reason: `the final ${node.opType} maps the features to ${outputCount ?? '?'} outputs${via}${tailText ? `, then${tailText.slice(2)}` : ''}`, tiedTo: [] };
}

/**
 * Language-model head: a token embedding (Gather on a [V, d] initializer with data indices) whose
 * V equals the head's outputs. GPT-2 style exporters store the tied weight twice ([V,d] for the
 * Gather, a transposed [d,V] copy for the MatMul), so "tied" is checked on values when a checker
 * is given and on shapes otherwise.
 */
function findTiedEmbedding(input: HeadDetectionInput, weight: TensorRef | undefined, node: Node, outputCount: number | null): { name: string; how: string; tied: boolean } | undefined {
  if (!weight || outputCount == null || weight.dims.length !== 2) return undefined;
  const { lookup, tensors } = input;
  for (const n of lookup.graph.nodes) {
    if (n.opType !== 'Gather' || intAttr(n, 'axis', 0) !== 0) continue;
    const table = n.inputs[0] ?? '', idx = n.inputs[1] ?? '';
    if (table === '' || idx === '' || lookup.isConstant(idx)) continue;
    const root = lookup.weightRoot(table);
    const emb = root !== undefined ? tensors.get(root) : undefined;
    if (!emb || emb.dims.length !== 2 || emb.dims[0] !== outputCount) continue;
    const sameLayout = node.opType === 'Gemm' && intAttr(node, 'transB', 0) === 1;
    const shapeTied = sameLayout ? emb.dims[1] === weight.dims[1] : emb.dims[1] === weight.dims[0];
    if (!shapeTied) continue;
    if (root === weight.name) return { name: root, how: 'sharing the weight of', tied: true };
    const check = sameLayout ? undefined : input.transposedEqual?.(emb, weight);
    if (check === false) return { name: root!, how: 'not tied to (values differ from)', tied: false };
    return { name: root!, how: check === true ? 'tied to (same values, transposed)' : 'shaped like (tie not verified)', tied: true };
  }
  return undefined;
}

const ACTIVATIONS = new Set(['Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Softmax', 'LogSoftmax', 'Clip', 'HardSigmoid', 'Elu', 'Selu', 'Gelu']);

/** The first activation on the way from the head to the output (`tail` is output-first). */
function activationAfter(tail: readonly Node[]): string {
  for (let k = tail.length - 1; k >= 0; k--) {
    const n = tail[k]!;
    if (!ACTIVATIONS.has(n.opType)) continue;
    if (n.opType === 'LeakyRelu') {
      const a = n.attributes.find((x) => x.name === 'alpha');
      return `LeakyRelu(${a && a.value.type === 'float' ? a.value.value : 0.01})`;
    }
    return n.opType;
  }
  return 'none';
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names.filter((n) => n !== ''))];
}

/** The head the fine-tune plan is about: first classifier, else LM head, else the first head. */
export function primaryHead(heads: readonly HeadReport[]): HeadReport | undefined {
  return heads.find((h) => h.kind === 'classifier') ?? heads.find((h) => h.kind === 'lm_head') ?? heads[0];
}
