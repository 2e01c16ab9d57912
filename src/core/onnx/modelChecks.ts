import type { DecodeContext } from './decodeContext';
import type { Graph, OnnxModel } from './model';

/** Highest IR version / default-domain opset we know of; beyond that we warn (not refuse). */
const KNOWN_IR_VERSION = 13;
const KNOWN_OPSET = 25;

function shown(name: string): string {
  return JSON.stringify(name.length > 120 ? `${name.slice(0, 120)}…` : name);
}

/** Names visible in a graph: its inputs, initializers and node outputs (not its parents'). */
function definedNames(g: Graph): Set<string> {
  const s = new Set<string>();
  for (const v of g.inputs) s.add(v.name);
  for (const t of g.initializers) s.add(t.name);
  for (const sp of g.sparseInitializers) s.add(sp.name);
  for (const n of g.nodes) for (const o of n.outputs) s.add(o);
  return s;
}

/** Kahn's algorithm over the graph's own nodes; returns the indices of nodes left on a cycle. */
function nodesOnCycles(g: Graph): number[] {
  const producer = new Map<string, number>();
  g.nodes.forEach((n) => n.outputs.forEach((o) => { if (o !== '') producer.set(o, n.index); }));
  const indeg = new Array<number>(g.nodes.length).fill(0);
  const users: number[][] = g.nodes.map(() => []);
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      const p = producer.get(i);
      if (p !== undefined) {
        indeg[n.index] = (indeg[n.index] as number) + 1;
        (users[p] as number[]).push(n.index);
      }
    }
  }
  const queue = g.nodes.filter((n) => indeg[n.index] === 0).map((n) => n.index);
  let seen = 0;
  while (queue.length > 0) {
    const i = queue.pop() as number;
    seen++;
    for (const u of users[i] as number[]) {
      indeg[u] = (indeg[u] as number) - 1;
      if (indeg[u] === 0) queue.push(u);
    }
  }
  if (seen === g.nodes.length) return [];
  return g.nodes.filter((n) => (indeg[n.index] as number) > 0).map((n) => n.index);
}

function checkGraph(ctx: DecodeContext, g: Graph, visible: readonly Set<string>[]): void {
  const own = definedNames(g);
  const scopes = [own, ...visible];
  const seen = new Set<string>();
  for (const t of g.initializers) {
    if (t.name === '') ctx.warn('empty-initializer-name', `${g.path}: an initializer has an empty name (an empty input name means "optional input omitted", so it can never be used)`, t.protoOffset);
    else if (seen.has(t.name)) ctx.warn('duplicate-initializer', `${g.path}: duplicate initializer name ${shown(t.name)} (only one of them can be used)`, t.protoOffset);
    seen.add(t.name);
  }
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      if (i !== '' && !scopes.some((s) => s.has(i))) {
        ctx.warn('missing-reference', `${g.path}: node ${n.index} (${shown(n.opType)} ${shown(n.name)}) input ${shown(i)} is undefined (missing: no graph input, initializer or node output defines it)`);
      }
    }
    // A Set, not inputs.includes: one hostile node with 50k inputs and 50k outputs was quadratic.
    const inputs = n.outputs.length > 8 ? new Set(n.inputs) : n.inputs;
    for (const o of n.outputs) if (o !== '' && (inputs instanceof Set ? inputs.has(o) : inputs.includes(o))) ctx.warn('graph-cycle', `${g.path}: node ${n.index} (${shown(n.opType)}) reads its own output ${shown(o)} (self cycle)`);
  }
  const cyc = nodesOnCycles(g);
  if (cyc.length > 0) ctx.warn('graph-cycle', `${g.path}: ${cyc.length} nodes form a cycle (no topological order exists), e.g. node ${cyc[0]}`);
}

/** Walks every graph (iteratively) and adds model-level warnings to the decode context. */
export function checkModel(ctx: DecodeContext, model: Omit<OnnxModel, 'warnings'>, allGraphs: readonly Graph[], irVersionSeen: boolean): void {
  if (!irVersionSeen) ctx.warn('missing-ir-version', 'the model has no ir_version');
  else if (model.irVersion < 1 || model.irVersion > KNOWN_IR_VERSION) ctx.warn('odd-ir-version', `ir_version ${model.irVersion} is outside the known range 1..${KNOWN_IR_VERSION}`);
  if (model.opsetImports.length === 0) ctx.warn('missing-opset', 'the model imports no opset');
  for (const o of model.opsetImports) {
    if (o.version < 1 || ((o.domain === '' || o.domain === 'ai.onnx') && o.version > KNOWN_OPSET)) ctx.warn('odd-opset', `opset ${o.version} for domain ${shown(o.domain || 'ai.onnx')} is outside the known range`);
  }
  const scopesOf = new Map<Graph, Set<string>[]>();
  for (const g of allGraphs) {
    const parentScopes: Set<string>[] = [];
    for (let p = g.parent; p !== undefined; p = p.parent) {
      const s = scopesOf.get(p);
      if (s !== undefined) {
        parentScopes.push(...s);
        break;
      }
    }
    checkGraph(ctx, g, parentScopes);
    scopesOf.set(g, [definedNames(g), ...parentScopes]);
  }
}
