import type { OnnxModel } from '../onnx/model';
import type { TensorDataContext } from '../onnx/tensorValues';
import type { ModelSpec, NodeSpec, ValueInfoSpec } from '../onnx/writer/modelSpec';
import { specFromModel } from '../onnx/writer/specFromModel';
import type { ProbePlan, ProbeTarget } from './probePlan';

/**
 * The forward probe model: the original model, re-emitted by our writer with every probed
 * tensor (layer inputs, outputs, activations) added as a graph output. External data stays a
 * reference to the original files (`externalData: 'keep'`); the caller loads the bytes from
 * memory with the model's folder as onnxruntime's external-data base, so nothing is written
 * next to the user's model and the originals are only read.
 */
export function forwardProbeSpec(model: OnnxModel, ctx: TensorDataContext, plan: ProbePlan): ModelSpec {
  const spec = specFromModel(model, ctx, { externalData: 'keep' });
  return withOutputs(spec, plan.extraOutputs);
}

/** A float tensor seen in the forward run: its element type (TensorProto.DataType) and shape. */
export interface ObservedTensor {
  readonly elemType: number;
  readonly shape: readonly number[];
}

/** One layer input replaced by a fresh graph input in the isolated model. */
export interface InjectedInput {
  readonly name: string;
  readonly target: ProbeTarget;
  readonly elemType: number;
  readonly shape: readonly number[];
}

/**
 * The isolated probe model: every probed layer whose data input is computed inside the graph
 * reads a new graph input instead (fed N(0,1) by the caller), so each layer's gain is measured
 * on a unit-variance signal even past a dead or exploding layer. `observed` gives the type and
 * shape of each layer input in the forward run; layers without one keep their original input.
 */
export function isolatedProbeSpec(
  model: OnnxModel,
  ctx: TensorDataContext,
  plan: ProbePlan,
  observed: ReadonlyMap<string, ObservedTensor>,
): { spec: ModelSpec; injected: InjectedInput[] } {
  const spec = specFromModel(model, ctx, { externalData: 'keep' });
  const used = new Set<string>();
  for (const n of spec.graph.nodes) for (const name of [...n.inputs, ...n.outputs]) used.add(name);
  for (const v of [...spec.graph.inputs, ...spec.graph.outputs]) used.add(v.name);

  const injected: InjectedInput[] = [];
  const nodes: NodeSpec[] = [...spec.graph.nodes];
  for (const t of plan.targets) {
    const seen = t.input !== null && !t.inputIsGraphInput ? observed.get(t.input) : undefined;
    const node = nodes[t.nodeIndex];
    if (seen === undefined || node === undefined) continue;
    let name = `probe_input_${t.depth}`;
    for (let k = 1; used.has(name); k++) name = `probe_input_${t.depth}_${k}`;
    used.add(name);
    const inputs = [...node.inputs];
    inputs[t.inputIndex] = name;
    nodes[t.nodeIndex] = { ...node, inputs };
    injected.push({ name, target: t, elemType: seen.elemType, shape: seen.shape });
  }
  const withInputs: ModelSpec = {
    ...spec,
    graph: {
      ...spec.graph,
      nodes,
      inputs: [...spec.graph.inputs, ...injected.map((i): ValueInfoSpec => ({ name: i.name, elemType: i.elemType, shape: i.shape }))],
    },
  };
  return { spec: withOutputs(withInputs, plan.targets.map((t) => t.output)), injected };
}

function withOutputs(spec: ModelSpec, names: readonly string[]): ModelSpec {
  const present = new Set(spec.graph.outputs.map((o) => o.name));
  const inputs = new Set(spec.graph.inputs.map((i) => i.name));
  const extra = names.filter((n, i) => !present.has(n) && !inputs.has(n) && names.indexOf(n) === i);
  return { ...spec, graph: { ...spec.graph, outputs: [...spec.graph.outputs, ...extra.map((name): ValueInfoSpec => ({ name }))] } };
}
