import type { FunctionDef, Graph, Node, OnnxModel, ValueInfo } from '../onnx/model';
import type { TensorDataContext } from '../onnx/tensorValues';
import type { ModelSpec } from '../onnx/writer/modelSpec';
import type { SpecFromModelOptions } from '../onnx/writer/specFromModel';
import { specFromModel } from '../onnx/writer/specFromModel';

/** Why a backbone cannot be extracted (unknown tensor, a graph input, ...). */
export class CutError extends Error {
  override readonly name = 'CutError';
}

export interface ExtractBackboneOptions extends SpecFromModelOptions {
  /** Extra graph outputs to keep (e.g. the model's own outputs, to compare a cut with the full model). */
  readonly keepOutputs?: readonly string[];
}

/** What the extraction kept, for messages. */
export interface BackboneSummary {
  readonly nodes: number;
  readonly initializers: number;
  readonly inputs: readonly string[];
  readonly functions: number;
}

/**
 * A model computing `cutTensor` (and `keepOutputs`) from the original inputs: only the nodes it
 * depends on (through subgraph outer-scope reads too), their initializers and Constant nodes, the
 * graph inputs still read, the functions still called, the same opsets and IR version. Payloads
 * are not copied here: `specFromModel` turns them into lazy reads of the source (or external
 * references, per `options.externalData`).
 */
export function extractBackbone(model: OnnxModel, cutTensor: string, ctx: TensorDataContext, options: ExtractBackboneOptions = {}): { spec: ModelSpec; summary: BackboneSummary } {
  const pruned = pruneModel(model, [cutTensor, ...(options.keepOutputs ?? [])]);
  const spec = specFromModel(pruned.model, ctx, options);
  return {
    spec: { ...spec, metadata: [...(spec.metadata ?? []).filter((m) => m.key !== 'onnx-init.cut'), { key: 'onnx-init.cut', value: cutTensor }] },
    summary: pruned.summary,
  };
}

/** The pruned model object (plain data, shares tensor handles with `model`). */
export function pruneModel(model: OnnxModel, outputs: readonly string[]): { model: OnnxModel; summary: BackboneSummary } {
  const g = model.graph;
  const producers = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) if (o !== '') producers.set(o, n);
  const initNames = new Set([...g.initializers.map((t) => t.name), ...g.sparseInitializers.map((s) => s.name)]);
  const inputNames = new Set(g.inputs.map((v) => v.name));
  for (const out of outputs) {
    if (!producers.has(out) && !initNames.has(out) && !inputNames.has(out)) throw new CutError(`tensor ${JSON.stringify(out)} is not produced by any node of the main graph`);
    if (!producers.has(out) && inputNames.has(out)) throw new CutError(`tensor ${JSON.stringify(out)} is a graph input: there is nothing to cut before it`);
  }

  const neededNodes = new Set<Node>();
  const neededNames = new Set<string>();
  const stack = [...outputs];
  while (stack.length) {
    const t = stack.pop()!;
    if (neededNames.has(t)) continue;
    neededNames.add(t);
    const p = producers.get(t);
    if (!p || neededNodes.has(p)) continue;
    neededNodes.add(p);
    for (const i of nodeReads(p)) if (i !== '') stack.push(i);
  }

  const nodes = g.nodes.filter((n) => neededNodes.has(n));
  const initializers = g.initializers.filter((t) => neededNames.has(t.name));
  // A tensor the reader refused (bad dims, size mismatch, refused external data) would be copied
  // as it is into a model that cannot load: refuse the cut instead, naming the tensor.
  const refused = initializers.find((t) => t.refusal !== undefined);
  if (refused) throw new CutError(`the backbone needs tensor ${JSON.stringify(refused.name)}, which is refused (${refused.refusal!.rule}): ${refused.refusal!.message}`);
  const sparseInitializers = g.sparseInitializers.filter((s) => neededNames.has(s.name));
  const inputs = g.inputs.filter((v) => neededNames.has(v.name));
  const known = new Map<string, ValueInfo>();
  for (const v of [...g.valueInfo, ...g.inputs, ...g.outputs]) if (!known.has(v.name)) known.set(v.name, v);
  const graphOutputs = outputs.map((name) => known.get(name) ?? { name, type: undefined, docString: '' });
  const produced = new Set(nodes.flatMap((n) => n.outputs));
  const valueInfo = g.valueInfo.filter((v) => produced.has(v.name) && !outputs.includes(v.name));
  const functions = usedFunctions(nodes, model.functions);
  const graph: Graph = { ...g, nodes, initializers, sparseInitializers, inputs, outputs: graphOutputs, valueInfo };
  return {
    model: { ...model, graph, functions },
    summary: { nodes: nodes.length, initializers: initializers.length + sparseInitializers.length, inputs: inputs.map((v) => v.name).filter((n) => !initNames.has(n)), functions: functions.length },
  };
}

/** Names a node reads: its inputs plus what its subgraphs read from outer scopes. */
function nodeReads(node: Node): string[] {
  const out = [...node.inputs];
  for (const a of node.attributes) {
    if (a.value.type === 'graph') out.push(...freeNames(a.value.value));
    else if (a.value.type === 'graphs') for (const sg of a.value.value) out.push(...freeNames(sg));
  }
  return out;
}

/** Names a subgraph uses without defining them (outer-scope reads), recursively. */
function freeNames(g: Graph): string[] {
  const defined = new Set<string>([...g.initializers.map((t) => t.name), ...g.sparseInitializers.map((s) => s.name), ...g.inputs.map((v) => v.name)]);
  for (const n of g.nodes) for (const o of n.outputs) defined.add(o);
  const free: string[] = [];
  for (const n of g.nodes) for (const r of nodeReads(n)) if (r !== '' && !defined.has(r)) free.push(r);
  for (const o of g.outputs) if (!defined.has(o.name)) free.push(o.name);
  return free;
}

/** Model-local functions called by the kept nodes, transitively. */
function usedFunctions(nodes: readonly Node[], functions: readonly FunctionDef[]): FunctionDef[] {
  const key = (domain: string, name: string): string => `${domain}\u0000${name}`;
  const byKey = new Map<string, FunctionDef[]>();
  for (const f of functions) {
    const k = key(f.domain, f.name);
    byKey.set(k, [...(byKey.get(k) ?? []), f]);
  }
  const used = new Set<FunctionDef>();
  const visit = (ns: readonly Node[]): void => {
    for (const n of ns) {
      for (const f of byKey.get(key(n.domain, n.opType)) ?? []) {
        if (used.has(f)) continue;
        used.add(f);
        visit(f.nodes);
      }
      for (const a of n.attributes) {
        if (a.value.type === 'graph') visit(a.value.value.nodes);
        else if (a.value.type === 'graphs') for (const sg of a.value.value) visit(sg.nodes);
      }
    }
  };
  visit(nodes);
  return functions.filter((f) => used.has(f));
}
