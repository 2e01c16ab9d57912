import type { GraphIndex, NodeRef } from './graphIndex';
import type { IsConst } from './activationSearch';

/** Graph structure the findings need: residual branches, heads, depth hints. */
export interface Structure {
  /** Node orders inside a residual branch (between the fork and the residual Add). */
  readonly inResidualBranch: ReadonlySet<number>;
  /** For each residual Add (by node order): the node orders of its branch side. */
  readonly residualAdds: ReadonlyMap<number, ReadonlySet<number>>;
  /** Node orders of layer nodes with another layer node downstream. */
  readonly hasLayerDownstream: ReadonlySet<number>;
  /** Transformer depth inferred from node/tensor names (`h.3`, `layers.11`, `blocks.5`), or null. */
  readonly nLayer: number | null;
  readonly hasBatchNorm: boolean;
}

const ANCESTOR_LIMIT = 600;

/** Tensors reachable backwards from `tensor` (BFS order), with the nodes passed. */
function ancestors(index: GraphIndex, tensor: string, scope: string, stop?: string): { tensors: string[]; nodes: NodeRef[] } {
  const tensors: string[] = [tensor];
  const seen = new Set<string>([tensor]);
  const nodes: NodeRef[] = [];
  const seenNodes = new Set<number>();
  for (let i = 0; i < tensors.length && nodes.length < ANCESTOR_LIMIT; i++) {
    const t = tensors[i] as string;
    if (t === stop) continue;
    const p = index.producerOf(t, scope);
    if (p === undefined || seenNodes.has(p.order)) continue;
    seenNodes.add(p.order);
    nodes.push(p);
    for (const x of p.node.inputs) if (x !== '' && !seen.has(x)) { seen.add(x); tensors.push(x); }
  }
  return { tensors, nodes };
}

/**
 * Where the two inputs of an Add meet going backwards: `b` itself when b feeds a (a skip
 * connection), `a` when a feeds b, else their nearest common ancestor. Both sides are searched
 * breadth-first in turns, so a short residual branch is found without walking the whole graph.
 */
function meetingPoint(index: GraphIndex, a: string, b: string, scope: string, isConst: IsConst): string | undefined {
  const seen = [new Set<string>([a]), new Set<string>([b])];
  const queues = [[a], [b]];
  const heads = [0, 0];
  const seenNodes = new Set<number>();
  for (let steps = 0; steps < 2 * ANCESTOR_LIMIT; steps++) {
    const side = steps % 2;
    const q = queues[side] as string[];
    if ((heads[side] as number) >= q.length) {
      if ((heads[1 - side] as number) >= (queues[1 - side] as string[]).length) return undefined;
      continue;
    }
    const t = q[heads[side] as number] as string;
    heads[side] = (heads[side] as number) + 1;
    const p = index.producerOf(t, scope);
    if (p === undefined) continue;
    const key = p.order * 2 + side;
    if (seenNodes.has(key)) continue;
    seenNodes.add(key);
    for (const x of p.node.inputs) {
      if (x === '' || isConst(x, scope) || (seen[side] as Set<string>).has(x)) continue;
      if ((seen[1 - side] as Set<string>).has(x)) return x;
      (seen[side] as Set<string>).add(x);
      q.push(x);
    }
  }
  return undefined;
}

export function analyzeStructure(index: GraphIndex, layerNodes: ReadonlySet<number>, isConst: IsConst): Structure {
  const inBranch = new Set<number>();
  const residualAdds = new Map<number, Set<number>>();
  for (const ref of index.nodes) {
    const n = ref.node;
    if (n.opType !== 'Add' || n.inputs.length !== 2) continue;
    const [a, b] = n.inputs as [string, string];
    if (a === '' || b === '' || isConst(a, ref.scope) || isConst(b, ref.scope)) continue;
    const fork = meetingPoint(index, a, b, ref.scope, isConst);
    if (fork === undefined) continue;
    let branch: string;
    if (fork === b) branch = a;
    else if (fork === a) branch = b;
    else {
      const wa = ancestors(index, a, ref.scope, fork).nodes.filter((x) => layerNodes.has(x.order)).length;
      const wb = ancestors(index, b, ref.scope, fork).nodes.filter((x) => layerNodes.has(x.order)).length;
      if (wa === wb && wa === 0) continue;
      branch = wa >= wb ? a : b;
    }
    const side = ancestors(index, branch, ref.scope, fork).nodes;
    if (!side.some((x) => layerNodes.has(x.order))) continue;
    const members = new Set<number>();
    for (const x of side) { members.add(x.order); inBranch.add(x.order); }
    residualAdds.set(ref.order, members);
  }
  const down = new Set<number>();
  const reach = new Map<number, boolean>();
  for (let i = index.nodes.length - 1; i >= 0; i--) {
    const ref = index.nodes[i] as NodeRef;
    let any = false;
    for (let o = 0; o < ref.node.outputs.length && !any; o++) {
      for (const u of index.consumersOfOutput(ref, o)) {
        if (layerNodes.has(u.node.order) || reach.get(u.node.order) === true) { any = true; break; }
      }
    }
    reach.set(ref.order, any);
    if (any && layerNodes.has(ref.order)) down.add(ref.order);
  }
  return { inResidualBranch: inBranch, residualAdds, hasLayerDownstream: down, nLayer: inferDepth(index), hasBatchNorm: index.nodes.some((r) => r.node.opType === 'BatchNormalization') };
}

function inferDepth(index: GraphIndex): number | null {
  const re = /(?:^|[/.])(?:h|layers?|blocks?|encoder\.layer|decoder\.layer)[._/](\d+)(?=[/.])/;
  const seen = new Set<number>();
  for (const ref of index.nodes) {
    const m = re.exec(ref.node.name);
    if (m !== null) seen.add(Number(m[1]));
  }
  return seen.size >= 2 ? Math.max(...seen) + 1 : null;
}

/** Follows a node's output forward through ops that keep the signal (BN, bias Add, activation) to a residual Add. */
export function residualAddAfter(index: GraphIndex, start: NodeRef, structure: Structure, maxSteps = 6): NodeRef | undefined {
  let cur: NodeRef | undefined = start;
  for (let s = 0; s < maxSteps && cur !== undefined; s++) {
    const uses = index.consumersOfOutput(cur);
    if (uses.length !== 1) return undefined;
    const next = (uses[0] as { node: NodeRef }).node;
    if (structure.residualAdds.has(next.order)) return structure.residualAdds.get(next.order)?.has(cur.order) === true ? next : undefined;
    if (!['BatchNormalization', 'Add', 'Identity', 'Dropout', 'Reshape', 'Transpose', 'Mul'].includes(next.node.opType)) return undefined;
    cur = next;
  }
  return undefined;
}

const ATTN_PASS = new Set(['Add', 'Reshape', 'Transpose', 'Split', 'Slice', 'Squeeze', 'Unsqueeze', 'Mul', 'Div', 'Identity', 'Cast', 'Gather']);

/** Whether a MatMul multiplies two computed tensors (attention scores or the attention-weighted values). */
function isActivationMatMul(n: NodeRef, isConst: IsConst): boolean {
  return n.node.opType === 'MatMul' && n.node.inputs.length === 2 && n.node.inputs.every((x) => x !== '' && !isConst(x, n.scope));
}

/**
 * Attention projections by structure: a weight layer whose output reaches (through reshapes,
 * splits and bias adds) a MatMul of two activations is a Q/K/V projection; one whose input comes
 * from such a MatMul is the output projection.
 */
export function attentionRole(index: GraphIndex, node: NodeRef, isConst: IsConst): 'attention_qkv' | 'attention_out' | null {
  const forward: NodeRef[] = [node];
  const seen = new Set<number>([node.order]);
  for (let i = 0; i < forward.length && i < 64; i++) {
    const cur = forward[i] as NodeRef;
    for (let o = 0; o < cur.node.outputs.length; o++) {
      for (const u of index.consumersOfOutput(cur, o)) {
        if (seen.has(u.node.order)) continue;
        seen.add(u.node.order);
        if (isActivationMatMul(u.node, isConst)) return 'attention_qkv';
        if (ATTN_PASS.has(u.node.node.opType) && forward.length < 64) forward.push(u.node);
      }
    }
  }
  let tensor = node.node.inputs.find((x) => x !== '' && !isConst(x, node.scope)) ?? '';
  for (let step = 0; step < 8 && tensor !== ''; step++) {
    const p = index.producerOf(tensor, node.scope);
    if (p === undefined) return null;
    if (isActivationMatMul(p, isConst)) return 'attention_out';
    if (!['Reshape', 'Transpose', 'Identity', 'Cast', 'Flatten'].includes(p.node.opType)) return null;
    tensor = p.node.inputs[0] ?? '';
  }
  return null;
}
