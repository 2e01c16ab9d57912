import { GraphIndex, nodeLabel } from '../analysis/graphIndex';
import type { Graph, Node } from '../onnx/model';

/**
 * The few structural queries the fine-tune logic needs over the main graph, on top of the
 * analysis' GraphIndex (producers, node labels, topological order): whether a tensor is a constant
 * (initializer / Constant output, or computed only from them) or data flowing from the graph
 * inputs, and which initializer a weight input comes from through Identity / Cast /
 * DequantizeLinear.
 */
export interface GraphLookup {
  readonly graph: Graph;
  /** The main graph's nodes in topological order (file order breaks ties). */
  readonly nodes: readonly Node[];
  producer(tensor: string): Node | undefined;
  /** True for initializers, Constant outputs and anything computed only from them. */
  isConstant(tensor: string): boolean;
  /** The initializer a constant input comes from, following Identity / Cast / DequantizeLinear (input 0). */
  weightRoot(tensor: string): string | undefined;
  /** Names of the nodes on that chain (the DequantizeLinear etc.), for `alsoReplaced`. */
  weightChain(tensor: string): readonly Node[];
  /** Node label used in reports: its name, or `#index:OpType` when unnamed. */
  label(node: Node): string;
  readonly graphOutputs: readonly string[];
}

const PASS_THROUGH_WEIGHT_OPS = new Set(['Identity', 'Cast', 'DequantizeLinear', 'CastLike']);

/** Builds the lookup once per graph (O(nodes + edges)). */
export function buildGraphLookup(graph: Graph): GraphLookup {
  const index = new GraphIndex(graph);
  const scope = graph.path;
  const producers = { get: (t: string): Node | undefined => index.producerOf(t, scope)?.node };
  const initializers = new Set<string>([...graph.initializers.map((t) => t.name), ...graph.sparseInitializers.map((s) => s.name)]);
  // Initializers may also be listed as graph inputs (IR < 4 style); those are still constants.
  const graphInputs = new Set(graph.inputs.map((v) => v.name).filter((n) => !initializers.has(n)));
  const constCache = new Map<string, boolean>();

  const isConstant = (tensor: string): boolean => {
    const cached = constCache.get(tensor);
    if (cached !== undefined) return cached;
    // Iterative DFS: graphs can be thousands of nodes deep.
    const stack: string[] = [tensor];
    const order: string[] = [];
    const seen = new Set<string>();
    while (stack.length) {
      const t = stack.pop()!;
      if (seen.has(t) || constCache.has(t)) continue;
      seen.add(t);
      order.push(t);
      const p = producers.get(t);
      if (p) for (const i of p.inputs) if (i !== '') stack.push(i);
    }
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k]!;
      if (constCache.has(t)) continue;
      let value: boolean;
      if (initializers.has(t)) value = true;
      else if (graphInputs.has(t)) value = false;
      else {
        const p = producers.get(t);
        if (!p) value = false;
        else if (p.opType === 'Constant' || p.inputs.every((i) => i === '')) value = true;
        else value = p.inputs.every((i) => i === '' || constCache.get(i) === true);
      }
      constCache.set(t, value);
    }
    return constCache.get(tensor) ?? false;
  };

  const weightChain = (tensor: string): Node[] => {
    const chain: Node[] = [];
    let t = tensor;
    for (let guard = 0; guard < 64; guard++) {
      if (initializers.has(t)) return chain;
      const p = producers.get(t);
      if (!p) return chain;
      if (p.opType === 'Constant') return chain;
      if (!PASS_THROUGH_WEIGHT_OPS.has(p.opType) || p.inputs[0] === undefined) return chain;
      chain.push(p);
      t = p.inputs[0];
    }
    return chain;
  };

  const weightRoot = (tensor: string): string | undefined => {
    let t = tensor;
    for (let guard = 0; guard < 64; guard++) {
      if (initializers.has(t)) return t;
      const p = producers.get(t);
      if (!p) return undefined;
      if (p.opType === 'Constant') return t;
      if (!PASS_THROUGH_WEIGHT_OPS.has(p.opType) || p.inputs[0] === undefined) return undefined;
      t = p.inputs[0];
    }
    return undefined;
  };

  return {
    graph,
    nodes: index.nodes.filter((r) => r.scope === scope).map((r) => r.node),
    producer: (t) => producers.get(t),
    isConstant,
    weightRoot,
    weightChain,
    label: nodeLabel,
    graphOutputs: graph.outputs.map((v) => v.name),
  };
}

/** Integer attribute or `fallback`. */
export function intAttr(node: Node, name: string, fallback: number): number {
  const a = node.attributes.find((x) => x.name === name);
  return a && a.value.type === 'int' ? a.value.value : fallback;
}

/** Integer-list attribute or undefined. */
export function intsAttr(node: Node, name: string): readonly number[] | undefined {
  const a = node.attributes.find((x) => x.name === name);
  return a && a.value.type === 'ints' ? a.value.value : undefined;
}
