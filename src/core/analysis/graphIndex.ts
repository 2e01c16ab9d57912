import type { FunctionDef, Graph, Node } from '../onnx/model';

/** A node with the scope (graph path or `function:<domain>.<name>`) it lives in. */
export interface NodeRef {
  readonly node: Node;
  readonly scope: string;
  /** Position in the global order (main graph topologically, subgraphs right after their parent node, functions last). */
  readonly order: number;
  /** Display name: the node name, or `#index:OpType` when it has none. */
  readonly label: string;
}

export interface TensorUse {
  readonly node: NodeRef;
  readonly inputIndex: number;
}

interface Scope {
  readonly path: string;
  readonly parent: Scope | undefined;
  readonly defined: Set<string>;
}

const SEP = '\u0000';

/** Display name of a node. */
export function nodeLabel(node: Node): string {
  return node.name !== '' ? node.name : `#${node.index}:${node.opType}`;
}

/**
 * Producers and consumers of every tensor name across the main graph, nested subgraphs (with
 * outer-scope lookup: a subgraph reading a name it does not define reads the enclosing one) and
 * model functions. Tolerates unsorted node lists and cycles: nodes that never become ready are
 * appended in file order, so building the order always terminates.
 */
export class GraphIndex {
  readonly nodes: NodeRef[] = [];
  private readonly producers = new Map<string, NodeRef>();
  private readonly consumers = new Map<string, TensorUse[]>();
  private readonly scopes = new Map<string, Scope>();
  /** Graph inputs and outputs of the main graph. */
  readonly mainInputs: Set<string>;
  readonly mainOutputs: Set<string>;

  constructor(graph: Graph, functions: readonly FunctionDef[] = []) {
    this.mainInputs = new Set(graph.inputs.map((v) => v.name));
    this.mainOutputs = new Set(graph.outputs.map((v) => v.name));
    this.addGraph(graph, undefined, 0);
    for (const f of functions) {
      const path = `function:${f.domain}.${f.name}`;
      const scope: Scope = { path, parent: undefined, defined: new Set([...f.inputs, ...f.nodes.flatMap((n) => n.outputs)]) };
      this.scopes.set(path, scope);
      for (const node of topoOrder(f.nodes, scope.defined)) this.addNode(node, scope, 0);
    }
  }

  private addGraph(graph: Graph, parent: Scope | undefined, depth: number): void {
    const defined = new Set<string>();
    for (const t of graph.initializers) defined.add(t.name);
    for (const s of graph.sparseInitializers) defined.add(s.name);
    for (const v of graph.inputs) defined.add(v.name);
    for (const n of graph.nodes) for (const o of n.outputs) if (o !== '') defined.add(o);
    const scope: Scope = { path: graph.path, parent, defined };
    this.scopes.set(graph.path, scope);
    for (const node of topoOrder(graph.nodes, defined)) this.addNode(node, scope, depth);
  }

  private addNode(node: Node, scope: Scope, depth: number): void {
    const ref: NodeRef = { node, scope: scope.path, order: this.nodes.length, label: nodeLabel(node) };
    this.nodes.push(ref);
    node.inputs.forEach((name, inputIndex) => {
      if (name === '') return;
      const key = this.resolveKey(name, scope);
      let list = this.consumers.get(key);
      if (list === undefined) this.consumers.set(key, (list = []));
      list.push({ node: ref, inputIndex });
    });
    for (const o of node.outputs) if (o !== '' && !this.producers.has(scope.path + SEP + o)) this.producers.set(scope.path + SEP + o, ref);
    // Subgraph bodies: their nodes read outer names through resolveKey; the depth cap is the reader's.
    if (depth > 64) return;
    for (const a of node.attributes) {
      if (a.value.type === 'graph') this.addGraph(a.value.value, scope, depth + 1);
      else if (a.value.type === 'graphs') for (const g of a.value.value) this.addGraph(g, scope, depth + 1);
    }
  }

  private resolveKey(name: string, scope: Scope): string {
    for (let s: Scope | undefined = scope; s !== undefined; s = s.parent) if (s.defined.has(name)) return s.path + SEP + name;
    return scope.path + SEP + name;
  }

  /** Nodes reading `name` as defined in `scope` (including nested subgraphs that see it). */
  consumersOf(name: string, scope: string): readonly TensorUse[] {
    return this.consumers.get(scope + SEP + name) ?? [];
  }

  /** Consumers of a node's output (looked up in the node's own scope). */
  consumersOfOutput(ref: NodeRef, outputIndex = 0): readonly TensorUse[] {
    const name = ref.node.outputs[outputIndex];
    return name === undefined || name === '' ? [] : this.consumersOf(name, ref.scope);
  }

  /** The node producing `name` in `scope` or an enclosing scope. */
  producerOf(name: string, scope: string): NodeRef | undefined {
    for (let s = this.scopes.get(scope); s !== undefined; s = s.parent) {
      const p = this.producers.get(s.path + SEP + name);
      if (p !== undefined) return p;
      if (s.defined.has(name)) return undefined;
    }
    return undefined;
  }

  /** Whether a name is an output of the main graph. */
  isGraphOutput(name: string, scope: string): boolean {
    return this.mainOutputs.has(name) && !scope.startsWith('function:') && !scope.includes('/');
  }
}

/** Kahn's algorithm with file-order tie breaking; cyclic leftovers keep file order at the end. */
function topoOrder(nodes: readonly Node[], defined: Set<string>): Node[] {
  const producedBy = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.outputs) if (o !== '' && !producedBy.has(o)) producedBy.set(o, i);
  });
  const indegree = new Array<number>(nodes.length).fill(0);
  const dependents: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    const seen = new Set<number>();
    for (const name of n.inputs) {
      const p = producedBy.get(name);
      if (p !== undefined && p !== i && !seen.has(p)) {
        seen.add(p);
        indegree[i] = (indegree[i] as number) + 1;
        (dependents[p] as number[]).push(i);
      }
    }
  });
  void defined;
  // A binary min-heap of ready node indices (file-order tie breaking): hostile graphs have
  // hundreds of thousands of nodes ready at once, where a sorted array would be quadratic.
  const ready: number[] = [];
  indegree.forEach((d, i) => { if (d === 0) ready.push(i); });
  const out: Node[] = [];
  const done = new Array<boolean>(nodes.length).fill(false);
  while (ready.length > 0) {
    const i = heapPop(ready);
    done[i] = true;
    out.push(nodes[i] as Node);
    for (const d of dependents[i] as number[]) {
      indegree[d] = (indegree[d] as number) - 1;
      if (indegree[d] === 0) heapPush(ready, d);
    }
  }
  if (out.length < nodes.length) nodes.forEach((n, i) => { if (!done[i]) out.push(n); });
  return out;
}

function heapPush(heap: number[], v: number): void {
  let i = heap.push(v) - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if ((heap[parent] as number) <= v) break;
    heap[i] = heap[parent] as number;
    i = parent;
  }
  heap[i] = v;
}

function heapPop(heap: number[]): number {
  const top = heap[0] as number;
  const last = heap.pop() as number;
  if (heap.length === 0) return top;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= heap.length) break;
    const r = l + 1;
    const c = r < heap.length && (heap[r] as number) < (heap[l] as number) ? r : l;
    if ((heap[c] as number) >= last) break;
    heap[i] = heap[c] as number;
    i = c;
  }
  heap[i] = last;
  return top;
}
