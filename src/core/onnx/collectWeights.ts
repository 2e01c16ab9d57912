import { DataType, type FunctionDef, type Graph, type Node, type TensorRef, type WeightEntry, type WeightOrigin } from './model';

const CONSTANT_VALUE_ATTRS = new Set(['value', 'value_float', 'value_floats', 'value_int', 'value_ints', 'sparse_value']);

function inlineTensor(name: string, dataType: number, values: readonly number[], scalar: boolean, protoOffset: number): TensorRef {
  return {
    name,
    dataType,
    dims: scalar ? [] : [values.length],
    elementCount: values.length,
    storage: { kind: 'inline-values', values },
    refusal: undefined,
    warnings: [],
    protoOffset,
  };
}

/** The weight carried by a Constant node (value / value_float(s) / value_int(s) / sparse_value). */
function constantWeight(node: Node, graphPath: string, origin: WeightOrigin): WeightEntry | undefined {
  if (node.opType !== 'Constant' || (node.domain !== '' && node.domain !== 'ai.onnx')) return undefined;
  const name = node.outputs[0] ?? '';
  for (const a of node.attributes) {
    if (!CONSTANT_VALUE_ATTRS.has(a.name)) continue;
    const constantNode = { node: node.name, attribute: a.name, nodeIndex: node.index };
    const v = a.value;
    switch (v.type) {
      case 'tensor': return { name, tensor: v.value, origin, graphPath, constantNode };
      case 'sparse_tensor': return { name, tensor: v.value.values, origin, graphPath, sparse: v.value, constantNode };
      case 'float': return { name, tensor: inlineTensor(name, DataType.FLOAT, [v.value], true, 0), origin, graphPath, constantNode };
      case 'floats': return { name, tensor: inlineTensor(name, DataType.FLOAT, v.value, false, 0), origin, graphPath, constantNode };
      case 'int': return { name, tensor: inlineTensor(name, DataType.INT64, [v.value], true, 0), origin, graphPath, constantNode };
      case 'ints': return { name, tensor: inlineTensor(name, DataType.INT64, v.value, false, 0), origin, graphPath, constantNode };
      default: return undefined;
    }
  }
  return undefined;
}

function subgraphsOf(node: Node): Graph[] {
  const out: Graph[] = [];
  for (const a of node.attributes) {
    if (a.value.type === 'graph') out.push(a.value.value);
    else if (a.value.type === 'graphs') out.push(...a.value.value);
  }
  return out;
}

/**
 * Every weight-like tensor of the model, uniformly: graph initializers, sparse initializers and
 * Constant nodes of the main graph, then of every subgraph (depth-first, in the order of
 * `assignGraphPaths`), then Constant nodes of local functions (and their subgraphs).
 * Iterative, so deep nesting cannot overflow the stack.
 */
export function collectWeights(model: { readonly graph: Graph; readonly functions: readonly FunctionDef[] }): WeightEntry[] {
  const out: WeightEntry[] = [];
  const visitGraph = (g: Graph, origin: WeightOrigin, path: string): Graph[] => {
    for (const t of g.initializers) out.push({ name: t.name, tensor: t, origin: 'initializer', graphPath: path });
    for (const sp of g.sparseInitializers) out.push({ name: sp.name, tensor: sp.values, origin: 'sparse-initializer', graphPath: path, sparse: sp });
    return visitNodes(g.nodes, origin, path);
  };
  const visitNodes = (nodes: readonly Node[], origin: WeightOrigin, path: string): Graph[] => {
    const children: Graph[] = [];
    for (const n of nodes) {
      const w = constantWeight(n, path, origin);
      if (w !== undefined) out.push(w);
      children.push(...subgraphsOf(n));
    }
    return children;
  };
  const walk = (first: Graph[], origin: WeightOrigin): void => {
    const stack = [...first].reverse();
    while (stack.length > 0) {
      const g = stack.pop() as Graph;
      const kids = visitGraph(g, origin, g.path);
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i] as Graph);
    }
  };
  walk([model.graph], 'constant-node');
  for (const f of model.functions) {
    const path = `function:${f.domain}.${f.name}`;
    walk(visitNodes(f.nodes, 'function-constant', path), 'function-constant');
  }
  return out;
}

/** What a name resolves to in a graph's lexical scope. */
export type ResolvedName =
  | { readonly kind: 'initializer'; readonly graph: Graph; readonly tensor: TensorRef }
  | { readonly kind: 'sparse-initializer'; readonly graph: Graph; readonly tensor: TensorRef }
  | { readonly kind: 'input'; readonly graph: Graph }
  | { readonly kind: 'node-output'; readonly graph: Graph; readonly node: Node };

const scopeCache = new WeakMap<Graph, Map<string, ResolvedName>>();

/** One graph's own names; an initializer shadows a same-named input, the first definition wins. */
function ownScope(g: Graph): Map<string, ResolvedName> {
  let m = scopeCache.get(g);
  if (m !== undefined) return m;
  m = new Map();
  for (const n of g.nodes) for (const o of n.outputs) if (o !== '' && !m.has(o)) m.set(o, { kind: 'node-output', graph: g, node: n });
  for (const v of g.inputs) m.set(v.name, { kind: 'input', graph: g });
  for (let i = g.sparseInitializers.length - 1; i >= 0; i--) {
    const sp = g.sparseInitializers[i] as Graph['sparseInitializers'][number];
    m.set(sp.name, { kind: 'sparse-initializer', graph: g, tensor: sp.values });
  }
  for (let i = g.initializers.length - 1; i >= 0; i--) {
    const t = g.initializers[i] as TensorRef;
    m.set(t.name, { kind: 'initializer', graph: g, tensor: t });
  }
  scopeCache.set(g, m);
  return m;
}

/**
 * Resolves a value name lexically: the graph itself first (an initializer shadows a same-named
 * graph input, which shadows a node output), then each enclosing graph. Undefined when nothing
 * defines it. Each graph's scope is indexed once (cached per graph object).
 */
export function resolveName(graph: Graph, name: string): ResolvedName | undefined {
  for (let g: Graph | undefined = graph; g !== undefined; g = g.parent) {
    const hit = ownScope(g).get(name);
    if (hit !== undefined) return hit;
  }
  return undefined;
}
