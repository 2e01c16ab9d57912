import { GraphIndex, nodeLabel } from '../analysis/graphIndex';
import type { Graph, Node } from '../onnx/model';
import type { LayerReport, TensorReport } from '../report/reportModel';

/** One weight layer of the main graph the probe measures. */
export interface ProbeTarget {
  readonly layerId: string;
  /** Position among the probed layers, in the static report's (topological) order. */
  readonly depth: number;
  /** Node label as in the static report. */
  readonly node: string;
  readonly op: string;
  /** Index of the node in the main graph's node list. */
  readonly nodeIndex: number;
  /** The layer's output tensor (its first output). */
  readonly output: string;
  /** The data tensor the layer reads (its first input not computed from weights), if any. */
  readonly input: string | null;
  /** Which input slot of the node `input` is. */
  readonly inputIndex: number;
  /** True when `input` is a graph input (its values are the synthesized feed). */
  readonly inputIsGraphInput: boolean;
  /** The activation the static analysis found after this layer. */
  readonly activation: { readonly node: string; readonly op: string; readonly output: string } | null;
  /**
   * A normalization resets the signal's scale after this layer during training: one sits between
   * the layer and its activation (`normalizedAfter`), or it was folded into the weight (`bn-folded`).
   */
  readonly normalizedAfter: boolean;
  /** The static verdict (fresh / trained / bn-folded): the forecast models fresh i.i.d. weights only. */
  readonly verdict: LayerReport['verdict'];
  /** The static analysis calls the layer's scale deliberate (a known convention, a small head). */
  readonly deliberateScale: boolean;
  /** E[b²] of the bias the node adds itself (Gemm C, Conv B), from the static report; 0 if none. */
  readonly biasSecondMoment: number;
  /** A layer with no activation whose output reaches a graph output directly (a head: logits). */
  readonly isHead: boolean;
}

export interface ProbePlan {
  readonly targets: readonly ProbeTarget[];
  /**
   * Tensors to add as graph outputs (not already outputs, not graph inputs), in order. They are
   * declared without a type: onnxruntime infers it (checked with 1.30), and the probe reads the
   * type of what comes back instead of re-implementing type inference.
   */
  readonly extraOutputs: readonly string[];
}

/** Static findings that call a layer's std deliberate: a small signal there is not news. */
const DELIBERATE_SCALE = new Set(['intentional-convention', 'intentional-small-head', 'intentional-zero-head', 'intentional-zero-residual-branch', 'intentional-lora-b']);
/** Ops between a head layer and the graph output that keep it a head. */
const HEAD_PASSTHROUGH = new Set(['Identity', 'Softmax', 'LogSoftmax', 'Reshape', 'Flatten', 'Squeeze', 'Cast']);

/**
 * Picks the layers to measure from the static report: one target per main-graph node that reads
 * a weight (a node with two weights, like LSTM W and R, is measured once), with its data input
 * and the activation the analysis found after it (the last node of `activationPath`).
 */
export function planProbe(graph: Graph, layers: readonly LayerReport[], tensors: readonly TensorReport[] = []): ProbePlan {
  const biasOf = new Map<string, number>();
  for (const t of tensors) {
    const s = t.stats;
    if (s === null || s.std === null || s.mean === null) continue;
    for (const u of t.uses) if (u.role === 'bias' && u.inputIndex === 2) biasOf.set(u.node, s.std * s.std + s.mean * s.mean);
  }
  const byLabel = new Map<string, Node>();
  for (const n of graph.nodes) if (!byLabel.has(nodeLabel(n))) byLabel.set(nodeLabel(n), n);
  const constants = constantTensors(graph);
  const graphInputs = new Set(graph.inputs.map((v) => v.name));
  const graphOutputs = new Set(graph.outputs.map((v) => v.name));
  const index = new GraphIndex(graph);
  const consumers = (tensor: string): Node[] => index.consumersOf(tensor, graph.path).filter((u) => u.node.scope === graph.path).map((u) => u.node.node);

  const targets: ProbeTarget[] = [];
  const seenNodes = new Set<Node>();
  for (const layer of layers) {
    const node = byLabel.get(layer.node);
    if (node === undefined || seenNodes.has(node)) continue; // subgraph / function nodes cannot be graph outputs
    const output = node.outputs[0];
    if (output === undefined || output === '') continue;
    seenNodes.add(node);
    const inputIndex = node.inputs.findIndex((i) => i !== '' && !constants.has(i));
    const input = inputIndex >= 0 ? (node.inputs[inputIndex] as string) : null;
    const activation = activationOf(layer, output, consumers, (t) => {
      const p = index.producerOf(t, graph.path);
      return p !== undefined && p.scope === graph.path ? p.node : undefined;
    });
    targets.push({
      layerId: layer.id,
      depth: targets.length,
      node: layer.node,
      op: node.opType,
      nodeIndex: node.index,
      output,
      input,
      inputIndex: input === null ? -1 : inputIndex,
      inputIsGraphInput: input !== null && graphInputs.has(input),
      activation,
      normalizedAfter: layer.normalizedAfter || layer.verdict === 'bn-folded',
      verdict: layer.verdict,
      biasSecondMoment: biasOf.get(layer.node) ?? 0,
      deliberateScale: layer.findings.some((f) => f.intentional === true && DELIBERATE_SCALE.has(f.code)),
      isHead: activation === null && reachesOutput(output, consumers, graphOutputs),
    });
  }

  const extra: string[] = [];
  const added = new Set<string>();
  const add = (name: string | null) => {
    if (name === null || added.has(name) || graphOutputs.has(name) || graphInputs.has(name)) return;
    added.add(name);
    extra.push(name);
  };
  for (const t of targets) {
    add(t.input);
    add(t.output);
    add(t.activation?.output ?? null);
  }
  return { targets, extraOutputs: extra };
}

/**
 * Locates the activation node the static analysis found: by the tensor it outputs
 * (`activationOutput`), or, for reports without it, by replaying `activationPath` (e.g.
 * ["BatchNormalization", "Relu"]) from the layer's output, taking at each step the first consumer
 * (graph order) with that op, as the search itself does. Fused forms: `Sigmoid·Mul` ends at the
 * Mul, `Gelu(erf)` at the last Mul of x·(1+erf(x/√2))·½.
 */
function activationOf(layer: LayerReport, output: string, consumers: (tensor: string) => readonly Node[], producer: (tensor: string) => Node | undefined): ProbeTarget['activation'] {
  if (layer.activation === 'none' || layer.activationPath.length === 0) return null;
  if (layer.activationOutput !== undefined) {
    const p = producer(layer.activationOutput);
    return p === undefined ? null : { node: nodeLabel(p), op: layer.activation, output: layer.activationOutput };
  }
  const next = (tensor: string, ops: readonly string[]) => consumers(tensor).find((n) => ops.includes(n.opType));
  let tensor = output;
  let node: Node | undefined;
  for (const step of layer.activationPath) {
    if (step === 'Sigmoid·Mul' || step === 'HardSigmoid·Mul') node = next(tensor, ['Mul']);
    else if (step === 'Gelu(erf)') {
      node = next(tensor, ['Div', 'Mul']);
      for (const ops of [['Erf'], ['Add'], ['Mul'], ['Mul']]) {
        const n = node?.outputs[0] !== undefined ? next(node.outputs[0], ops) : undefined;
        if (n === undefined) break;
        node = n;
      }
    } else node = next(tensor, [step]);
    if (node === undefined || node.outputs[0] === undefined || node.outputs[0] === '') return null;
    tensor = node.outputs[0];
  }
  return node === undefined ? null : { node: nodeLabel(node), op: layer.activation, output: tensor };
}

/** Initializers, Constant outputs and everything computed only from them (Identity, DequantizeLinear, ...). */
function constantTensors(graph: Graph): Set<string> {
  const constants = new Set<string>(graph.initializers.map((t) => t.name));
  for (const s of graph.sparseInitializers) constants.add(s.name);
  for (const v of graph.inputs) constants.delete(v.name); // an input with a default is still an input
  let changed = true;
  while (changed) {
    changed = false;
    for (const n of graph.nodes) {
      if (n.outputs.every((o) => constants.has(o))) continue;
      const ins = n.inputs.filter((i) => i !== '');
      if (n.opType === 'Constant' || (ins.length > 0 && ins.every((i) => constants.has(i)) && n.attributes.every((a) => a.value.type !== 'graph'))) {
        for (const o of n.outputs) if (o !== '') constants.add(o);
        changed = true;
      }
    }
  }
  return constants;
}

function reachesOutput(name: string, consumers: (tensor: string) => readonly Node[], outputs: ReadonlySet<string>): boolean {
  let frontier = [name];
  for (let step = 0; step < 8 && frontier.length > 0; step++) {
    if (frontier.some((t) => outputs.has(t))) return true;
    frontier = frontier.flatMap((t) => consumers(t).filter((n) => HEAD_PASSTHROUGH.has(n.opType)).map((n) => n.outputs[0] ?? ''));
  }
  return false;
}
